{#- Monthly cycle-time medians (cycle v1, docs/metrics.md; domain reference §6.1, §6.2, §10): one row per
    month x legal entity x contract type that has an activation or an invoice trigger, plus roll-up rows for
    all contract types (contract_type 'all') and for the group (legal_entity_key 'GROUP', is_consolidated).
    A median cannot be rolled up from its parts, so every roll-up is recomputed from the underlying rows.
      activation: projects whose first approved time falls in the month (kpi_cycle_times.activation_days);
      invoice cycle: fee-billing triggers (T&M period, milestone, retainer) of invoices dated in the month
        (kpi_invoice_cycle_times.invoice_cycle_days, to the first correct invoice);
      expense invoice cycle: expense-approval triggers of invoices dated in the month, kept apart.
    Medians and P80 are continuous percentiles (macro cycle_percentile); counts sit beside them. Months
    after the KPI as-of date (var kpi_as_of_date, default the latest approved time / invoice date) are
    not reported. -#}

{%- set levels = [
    {'entity': 'legal_entity_key', 'contract_type': 'contract_type', 'consolidated': 'false'},
    {'entity': 'legal_entity_key', 'contract_type': "'all'", 'consolidated': 'false'},
    {'entity': "'GROUP'", 'contract_type': 'contract_type', 'consolidated': 'true'},
    {'entity': "'GROUP'", 'contract_type': "'all'", 'consolidated': 'true'},
] %}

with as_of as (
    select
        {%- if var('kpi_as_of_date') %}
        cast({{ dbt.string_literal(var('kpi_as_of_date')) }} as date) as as_of_date
        {%- else %}
        case when t.last_time_date is null or i.last_invoice_date > t.last_time_date
            then i.last_invoice_date else t.last_time_date end as as_of_date
        {%- endif %}
    from (
        select max(spent_date) as last_time_date from {{ ref('fct_time_entries') }} where is_approved
    ) as t
    cross join (
        select max(transaction_date) as last_invoice_date from {{ ref('fct_invoice_lines') }}
    ) as i
),

activations as (
    select
        a.activation_month_start_date as month_start_date,
        a.legal_entity_key,
        coalesce(a.contract_type, 'unknown') as contract_type,
        'activation' as cycle_name,
        a.activation_days as cycle_days,
        a.project_key as subject_id,
        a.is_started_before_win as is_flagged
    from {{ ref('kpi_cycle_times') }} as a
    cross join as_of
    where a.first_approved_time_date is not null
        and a.first_approved_time_date <= as_of.as_of_date
),

invoice_cycles as (
    select
        c.invoice_month_start_date as month_start_date,
        c.legal_entity_key,
        coalesce(c.contract_type, 'unknown') as contract_type,
        case when c.trigger_type = 'expense' then 'expense_invoice' else 'invoice' end as cycle_name,
        c.invoice_cycle_days as cycle_days,
        c.invoice_transaction_id as subject_id,
        c.invoice_cycle_days is null as is_flagged
    from {{ ref('kpi_invoice_cycle_times') }} as c
    cross join as_of
    where c.invoice_date <= as_of.as_of_date
),

cycle_events as (
    select * from activations
    union all
    select * from invoice_cycles
),

{%- set measures = [('activation', 'activation'), ('invoice', 'invoice_cycle'), ('expense_invoice', 'expense_invoice_cycle')] %}

rolled_up as (
    {%- for level in levels %}
    select
        month_start_date,
        {{ level.entity }} as legal_entity_key,
        {{ level.consolidated }} as is_consolidated,
        {{ level.contract_type }} as contract_type,
        {%- for cycle_name, prefix in measures %}
        {%- set days = "case when cycle_name = '" ~ cycle_name ~ "' then cycle_days end" %}
        count({{ days }}) as {{ prefix }}_measured_count,
        {{ cycle_percentile(days, 0.5) }} as {{ prefix }}_days_median,
        {{ cycle_percentile(days, 0.8) }} as {{ prefix }}_days_p80,
        {%- endfor %}
        count(distinct case when cycle_name = 'activation' then subject_id end) as activation_project_count,
        count(distinct case when cycle_name = 'activation' and is_flagged then subject_id end)
            as started_before_win_project_count,
        count(case when cycle_name = 'activation' and cycle_days is null then 1 end)
            as activation_without_won_deal_count,
        count(distinct case when cycle_name in ('invoice', 'expense_invoice') then subject_id end)
            as invoice_count,
        count(case when cycle_name = 'invoice' then 1 end) as invoice_trigger_count,
        count(case when cycle_name = 'invoice' and is_flagged then 1 end) as invoice_trigger_unmeasured_count,
        count(case when cycle_name = 'expense_invoice' then 1 end) as expense_invoice_trigger_count
    from cycle_events
    group by month_start_date{% if level.entity != "'GROUP'" %}, legal_entity_key{% endif %}
        {%- if level.contract_type != "'all'" %}, contract_type{% endif %}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    r.month_start_date,
    {{ throughline.month_end('r.month_start_date') }} as month_end_date,
    r.legal_entity_key,
    r.is_consolidated,
    r.contract_type,
    cast(r.activation_project_count as integer) as activation_project_count,
    cast(r.activation_measured_count as integer) as activation_measured_count,
    cast(r.activation_without_won_deal_count as integer) as activation_without_won_deal_count,
    cast(r.started_before_win_project_count as integer) as started_before_win_project_count,
    cast(r.activation_days_median as numeric(18, 2)) as activation_days_median,
    cast(r.activation_days_p80 as numeric(18, 2)) as activation_days_p80,
    cast(r.invoice_count as integer) as invoice_count,
    cast(r.invoice_trigger_count as integer) as invoice_trigger_count,
    cast(r.invoice_cycle_measured_count as integer) as invoice_cycle_measured_count,
    cast(r.invoice_trigger_unmeasured_count as integer) as invoice_trigger_unmeasured_count,
    cast(r.invoice_cycle_days_median as numeric(18, 2)) as invoice_cycle_days_median,
    cast(r.invoice_cycle_days_p80 as numeric(18, 2)) as invoice_cycle_days_p80,
    cast(r.expense_invoice_trigger_count as integer) as expense_invoice_trigger_count,
    cast(r.expense_invoice_cycle_measured_count as integer) as expense_invoice_cycle_measured_count,
    cast(r.expense_invoice_cycle_days_median as numeric(18, 2)) as expense_invoice_cycle_days_median,
    cast(r.expense_invoice_cycle_days_p80 as numeric(18, 2)) as expense_invoice_cycle_days_p80,
    {{ throughline.month_end('r.month_start_date') }} > as_of.as_of_date as is_partial_month,
    {{ kpi_definition_version('cycle_times') }} as definition_version
from rolled_up as r
cross join as_of
