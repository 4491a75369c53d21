{#- Contract balances per contract (PSA project) at each closed month end (revrec v1): cumulative revenue
    versus cumulative net billings (invoices - credit memos, fees only) gives an unbilled receivable /
    contract asset (>= 0) or deferred revenue / contract liability (>= 0), netted at contract level
    (reference section 5.3, check B8). Entity and reporting amounts at the month's closing rate.
    Conformed keys (project, client, contract, service line) from int_psa_project_context, '-1' when the
    billed project is not a PSA project. -#}

with revenue as (
    {#- revenue as booked in fct_revenue (closed periods are not restated there) -#}
    select
        psa_project_id as project_id,
        revenue_month,
        amount_transaction as revenue_amount,
        contract_type,
        erp_sales_order_id,
        legal_entity_key,
        transaction_currency_code as contract_currency_code
    from {{ ref('fct_revenue') }}
),

billings as (
    select * from {{ ref('int_contract_billings_by_month') }}
),

last_closed as (
    select max(revenue_month) as last_month from revenue
),

contracts as (
    select project_id, contract_type, erp_sales_order_id, legal_entity_key, contract_currency_code
    from revenue
    group by 1, 2, 3, 4, 5
),

all_contracts as (
    select project_id, contract_type, erp_sales_order_id, legal_entity_key, contract_currency_code
    from contracts
    union all
    select b.project_id, null, null, '-1', min(b.contract_currency_code)
    from billings as b
    where b.project_id not in (select project_id from contracts)
    group by b.project_id
),

first_months as (
    select project_id, min(m) as first_month
    from (
        select project_id, revenue_month as m from revenue
        union all
        select project_id, billing_month from billings
    ) as u
    group by project_id
),

months as (
    {{ month_starts("(select min(first_month) from first_months)", "(select last_month from last_closed)") }}
),

spine as (
    select f.project_id, m.month_start
    from first_months as f
    inner join months as m on m.month_start >= f.first_month
),

cumulative as (
    select
        s.project_id,
        s.month_start,
        sum(coalesce(r.revenue_amount, 0)) over w as cumulative_revenue,
        sum(coalesce(b.invoiced_amount, 0)) over w as cumulative_invoiced,
        sum(coalesce(b.credited_amount, 0)) over w as cumulative_credited,
        sum(coalesce(b.net_billed_amount, 0)) over w as cumulative_net_billings
    from spine as s
    left join revenue as r on s.project_id = r.project_id and s.month_start = r.revenue_month
    left join billings as b on s.project_id = b.project_id and s.month_start = b.billing_month
    window w as (partition by s.project_id order by s.month_start rows between unbounded preceding and current row)
),

entities as (
    select legal_entity_key, functional_currency_code
    from {{ ref('dim_legal_entity') }} where not is_unknown
),

projects as (
    select psa_project_id, client_key, contract_key, service_line_key
    from {{ ref('int_psa_project_context') }}
),

balances as (
    select
        k.*,
        c.contract_type,
        c.erp_sales_order_id,
        c.legal_entity_key,
        c.contract_currency_code,
        k.cumulative_revenue - k.cumulative_net_billings as net_contract_position
    from cumulative as k
    inner join all_contracts as c on k.project_id = c.project_id
)

select
    {{ composite_key(['b.project_id', 'b.month_start']) }} as contract_balance_id,
    b.project_id as psa_project_id,
    coalesce(p.psa_project_id, '-1') as project_key,
    coalesce(p.client_key, '-1') as client_key,
    coalesce(p.contract_key, '-1') as contract_key,
    coalesce(p.service_line_key, '-1') as service_line_key,
    b.erp_sales_order_id,
    coalesce(e.legal_entity_key, '-1') as legal_entity_key,
    b.contract_type,
    {{ dbt.string_literal(var('revrec_definition_version')) }} as definition_version,
    {{ throughline.month_end('b.month_start') }} as month_end_date,
    b.contract_currency_code as transaction_currency_code,
    b.cumulative_revenue,
    b.cumulative_invoiced,
    b.cumulative_credited,
    b.cumulative_net_billings,
    b.net_contract_position,
    case when b.net_contract_position > 0 then b.net_contract_position else 0 end as unbilled_receivable,
    case when b.net_contract_position < 0 then -b.net_contract_position else 0 end as deferred_revenue,
    {{ periodic_conversion_columns('b.net_contract_position', 'net_contract_position', 'b.contract_currency_code',
        'e.functional_currency_code', 'closing') }}
from balances as b
left join entities as e on b.legal_entity_key = e.legal_entity_key
left join projects as p on b.project_id = p.psa_project_id
{{ join_periodic_rates('b.contract_currency_code', 'e.functional_currency_code', 'b.month_start') }}
