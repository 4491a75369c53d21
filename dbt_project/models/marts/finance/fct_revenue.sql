{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='revenue_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns'
) }}
{#- Recognised revenue per contract x month x method (definition_version = var revrec_definition_version,
    "revrec v1"): contract (transaction) currency, entity (functional) currency and reporting currency at the
    period-average rate of the month (P&L translation).
    Incremental: closed months stay as booked; each run rewrites the latest var('revrec_restate_months')
    months already present plus any new month. The first rewritten month of a contract absorbs the catch-up
    (current cumulative - revenue booked before it), so cumulative revenue always equals the current estimate
    while earlier periods are never restated. -#}

{%- if is_incremental() %}
{%- set restate_from = "(select " ~ dbt.dateadd('month', 1 - (var('revrec_restate_months') | int),
    'max(revenue_month)') ~ " from " ~ this ~ ")" %}
{%- endif %}

with computed as (
    select * from {{ ref('int_revenue_by_contract_month') }}
    {%- if is_incremental() %}
    where revenue_month >= {{ restate_from }}
    {%- endif %}
),

booked_before as (
    {%- if is_incremental() %}
    select psa_project_id as project_id, sum(amount_transaction) as booked_amount
    from {{ this }}
    where revenue_month < {{ restate_from }}
    group by psa_project_id
    {%- else %}
    select cast(null as {{ dbt.type_string() }}) as project_id, cast(0 as numeric(18, 2)) as booked_amount
    where 1 = 0
    {%- endif %}
),

revenue as (
    select
        c.*,
        case
            when c.revenue_month = min(c.revenue_month) over (partition by c.project_id)
                then cast(c.cumulative_revenue - coalesce(b.booked_amount, 0) as numeric(18, 2))
            else c.revenue_amount
        end as period_amount
    from computed as c
    left join booked_before as b on c.project_id = b.project_id
),

entities as (
    select legal_entity_key, legal_entity_code, functional_currency_code
    from {{ ref('dim_legal_entity') }} where not is_unknown
),

projects as (
    select psa_project_id, client_key, contract_key, service_line_key
    from {{ ref('int_psa_project_context') }}
)

select
    {{ composite_key(['r.project_id', 'r.revenue_month', 'r.revenue_method']) }} as revenue_id,
    r.project_id as psa_project_id,
    r.project_id as project_key,
    coalesce(p.client_key, '-1') as client_key,
    coalesce(p.contract_key, '-1') as contract_key,
    coalesce(p.service_line_key, '-1') as service_line_key,
    r.erp_sales_order_id,
    r.crm_opportunity_id,
    coalesce(e.legal_entity_key, '-1') as legal_entity_key,
    r.contract_type,
    r.revenue_method,
    r.definition_version,
    r.revenue_month,
    r.month_end_date,
    r.approved_billable_hours,
    r.approved_hours,
    r.approved_cost,
    r.cumulative_cost,
    r.eac_cost,
    r.percent_complete,
    r.contract_value,
    r.nte_cap_amount,
    r.cumulative_excess_over_cap,
    r.contract_currency_code as transaction_currency_code,
    r.period_amount as amount_transaction,
    r.cumulative_revenue as cumulative_amount_transaction,
    {{ periodic_conversion_columns('r.period_amount', 'amount', 'r.contract_currency_code',
        'e.functional_currency_code', 'average') }},
    {{ periodic_rate_missing_flag('r.contract_currency_code', 'e.functional_currency_code', 'average') }}
        as is_fx_rate_missing,
    r.has_measurement_gap
from revenue as r
left join entities as e on r.legal_entity_code = e.legal_entity_code
left join projects as p on r.project_id = p.psa_project_id
{{ join_periodic_rates('r.contract_currency_code', 'e.functional_currency_code', 'r.revenue_month') }}
