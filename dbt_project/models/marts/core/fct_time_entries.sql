{{ config(
    materialized='incremental',
    unique_key='time_entry_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
    post_hook="{{ delete_vanished_rows('time_entry_id', ref('stg_psa__time_entries'), 'time_entry_id') }}"
) }}
{#- One row per PSA time entry (all statuses; filter on is_approved for revenue and utilisation).
    Billable value = hours x effective bill rate for billable entries, in the entry currency, the
    project legal entity's functional currency and the reporting currency (spot rate on spent_date).
    Conformed keys come from the crosswalks (int_resources_matched, int_clients_matched,
    int_deals_matched); '-1' when a key does not resolve, so no row is dropped. -#}

with entries as (
    select * from {{ ref('stg_psa__time_entries') }}
),

projects as (
    select * from {{ ref('stg_psa__projects') }}
),

practices as (
    select practice_id, service_line_name from {{ ref('stg_psa__practices') }}
),

resources as (
    select resource_id, practice_id from {{ ref('stg_psa__resources') }}
),

entities as (
    select legal_entity_key, legal_entity_code, functional_currency_code
    from {{ ref('dim_legal_entity') }}
    where not is_unknown
),

clients_by_psa as (
    select psa_client_id, client_key from {{ ref('int_clients_matched') }} where psa_client_id is not null
),

deals_by_project as (
    select psa_project_id, erp_sales_order_id from {{ ref('int_deals_matched') }}
    where psa_project_id is not null and erp_sales_order_id is not null
),

people as (
    select psa_resource_id, resource_key from {{ ref('int_resources_matched') }} where psa_resource_id is not null
),

service_lines as (
    select service_line_key from {{ ref('dim_service_line') }} where not is_unknown
),

base as (
    select
        te.time_entry_id,
        coalesce(pe.resource_key, '-1') as resource_key,
        case when p.project_id is not null then p.project_id else '-1' end as project_key,
        coalesce(cl.client_key, '-1') as client_key,
        coalesce(dl.erp_sales_order_id, '-1') as contract_key,
        te.spent_date,
        te.resource_id as psa_resource_id,
        te.project_id as psa_project_id,
        p.client_id as psa_client_id,
        te.assignment_id as psa_assignment_id,
        te.role_id as psa_role_id,
        coalesce(e.legal_entity_key, '-1') as legal_entity_key,
        coalesce(sl.service_line_key, '-1') as service_line_key,
        p.contract_type,
        te.hours,
        coalesce(te.is_billable, false) as is_billable,
        case when coalesce(te.is_billable, false) then te.hours else 0 end as billable_hours,
        te.work_type,
        te.time_entry_status,
        te.time_entry_status = 'approved' as is_approved,
        te.approved_at,
        te.bill_rate,
        coalesce(te.currency_code, p.currency_code, '-1') as transaction_currency_code,
        case when coalesce(te.is_billable, false) then te.hours * te.bill_rate else 0 end
            as billable_amount_transaction,
        coalesce(e.functional_currency_code, '-1') as entity_currency_code,
        te.cost_rate,
        coalesce(te.cost_currency_code, '-1') as cost_currency_code,
        te.hours * te.cost_rate as cost_amount_cost_currency,
        te.erp_invoice_id,
        te.erp_invoice_id is not null as is_invoiced,
        te._loaded_at
    from entries as te
    left join projects as p on te.project_id = p.project_id
    left join resources as r on te.resource_id = r.resource_id
    left join people as pe on te.resource_id = pe.psa_resource_id
    left join clients_by_psa as cl on p.client_id = cl.psa_client_id
    left join deals_by_project as dl on te.project_id = dl.psa_project_id
    -- the project's practice; internal projects have none, so the person's practice
    left join practices as pr on coalesce(p.practice_id, r.practice_id) = pr.practice_id
    left join entities as e on p.legal_entity_code = e.legal_entity_code
    left join service_lines as sl on {{ service_line_key('pr.service_line_name') }} = sl.service_line_key
    where {{ incremental_lookback('te._loaded_at') }}
),

converted as (
    select
        b.*,
        {{ fx_rate('fx_e', 'b.transaction_currency_code', 'b.entity_currency_code') }} as fx_rate_to_entity,
        {{ dbt.string_literal(var('reporting_currency')) }} as reporting_currency_code,
        {{ fx_rate('fx_r', 'b.transaction_currency_code', dbt.string_literal(var('reporting_currency'))) }}
            as fx_rate_to_reporting,
        {{ fx_rate('fx_c', 'b.cost_currency_code', dbt.string_literal(var('reporting_currency'))) }}
            as cost_fx_rate_to_reporting,
        'spot' as fx_rate_type
    from base as b
    {{ join_spot_rate('fx_e', 'b.transaction_currency_code', 'b.entity_currency_code', 'b.spent_date') }}
    {{ join_spot_rate('fx_r', 'b.transaction_currency_code', dbt.string_literal(var('reporting_currency')), 'b.spent_date') }}
    {{ join_spot_rate('fx_c', 'b.cost_currency_code', dbt.string_literal(var('reporting_currency')), 'b.spent_date') }}
)

select
    converted.*,
    billable_amount_transaction * fx_rate_to_entity as billable_amount_entity,
    billable_amount_transaction * fx_rate_to_reporting as billable_amount_reporting,
    cost_amount_cost_currency * cost_fx_rate_to_reporting as cost_amount_reporting,
    (fx_rate_to_entity is null or fx_rate_to_reporting is null) as is_fx_rate_missing
from converted
