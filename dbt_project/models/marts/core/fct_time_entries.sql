{{ config(
    materialized=throughline.incremental_materialization(),
    unique_key='time_entry_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook=[
        "{{ delete_vanished_time_entries() }}",
        "{{ throughline.keep_lookups(throughline.time_entry_lookups()['compared']) }}",
    ]
) }}
{#- One row per PSA time entry (all statuses; filter on is_approved for revenue and utilisation).
    Billable value = hours x effective bill rate for billable entries, in the entry currency, the
    project legal entity's functional currency and the reporting currency (spot rate on spent_date).
    Cost = hours x the entry's cost rate, in the cost currency (the person's), converted to the reporting
    currency and to the entity currency at the spot rate of spent_date, the day the time was spent: not the
    month's average or closing rate, not the approval date (docs/model/currency.md, "Cost of time").
    Conformed keys come from the crosswalks via int_psa_project_context and int_psa_resource_context;
    '-1' when a key does not resolve, so no row is dropped. An incremental night re-reads the entries whose
    project, person or rates have changed since they were built (macro changed_lookups). -#}

{%- set lookups = throughline.time_entry_lookups() %}
{%- set from_context = lookups['from_context'] %}

{#- The entries tonight re-reads, chosen on the staged rows alone (every condition reads only te), so the
    joins below run on those rows, not on every entry of the history. -#}
with entries as (
    select te.*
    from {{ throughline.psa_input('time_entries') }} as te
    where {{ incremental_lookback('te._loaded_at', reread=throughline.changed_lookups_of(lookups['compared'])) }}
),

projects as (
    select * from {{ ref('int_psa_project_context') }}
),

people as (
    select * from {{ ref('int_psa_resource_context') }}
),

base as (
    select
        te.time_entry_id,
        {{ from_context.resource_key }} as resource_key,
        {{ from_context.project_key }} as project_key,
        {{ from_context.client_key }} as client_key,
        {{ from_context.contract_key }} as contract_key,
        te.spent_date,
        te.resource_id as psa_resource_id,
        te.project_id as psa_project_id,
        {{ from_context.psa_client_id }} as psa_client_id,
        te.assignment_id as psa_assignment_id,
        te.role_id as psa_role_id,
        {{ from_context.legal_entity_key }} as legal_entity_key,
        {{ from_context.service_line_key }} as service_line_key,
        {{ from_context.contract_type }} as contract_type,
        te.hours,
        coalesce(te.is_billable, false) as is_billable,
        case when coalesce(te.is_billable, false) then te.hours else 0 end as billable_hours,
        te.work_type,
        te.time_entry_status,
        te.time_entry_status = 'approved' as is_approved,
        te.approved_at,
        te.bill_rate,
        coalesce(te.currency_code, p.project_currency_code, '-1') as transaction_currency_code,
        case when coalesce(te.is_billable, false) then te.hours * te.bill_rate else 0 end
            as billable_amount_transaction,
        {{ from_context.entity_currency_code }} as entity_currency_code,
        te.cost_rate,
        coalesce(te.cost_currency_code, '-1') as cost_currency_code,
        te.hours * te.cost_rate as cost_amount_cost_currency,
        te.erp_invoice_id,
        te.erp_invoice_id is not null as is_invoiced,
        te._loaded_at
    from entries as te
    -- from_context reads p and pe by these names (and changed_lookups' subquery joins them so: context_joins)
    left join projects as p on te.project_id = p.psa_project_id  -- noqa: AL04
    left join people as pe on te.resource_id = pe.psa_resource_id  -- noqa: AL04
),

converted as (
    {{ select_with_spot_rates('base', 'spent_date',
        extra_rates_to_reporting={'cost_fx_rate_to_reporting': 'cost_currency_code'}) }}
)

select
    converted.*,
    {{ spot_amount_columns(['billable_amount']) }},
    converted.cost_amount_cost_currency * converted.cost_fx_rate_to_reporting as cost_amount_reporting,
    {{ fx_rate_missing_flag('converted.fx_rate_to_entity', 'converted.fx_rate_to_reporting') }} as is_fx_rate_missing,
    {#- cost in the entity's functional currency, at the same rate date as the reporting cost (spent_date) -#}
    {{ fx_rate('fx_ce', 'converted.cost_currency_code', 'converted.entity_currency_code') }} as cost_fx_rate_to_entity,
    converted.cost_amount_cost_currency
        * {{ fx_rate('fx_ce', 'converted.cost_currency_code', 'converted.entity_currency_code') }}
        as cost_amount_entity,
    {{ throughline.build_stamp() }} as _built_at
from converted
{{ join_spot_rate('fx_ce', 'converted.cost_currency_code', 'converted.entity_currency_code', 'converted.spent_date') }}
