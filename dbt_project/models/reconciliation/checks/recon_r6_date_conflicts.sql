-- R6: PSA project that starts more than var('recon_r6_start_grace_days') days before its won opportunity
-- closed (R6_START_BEFORE_CLOSE, an at-risk start), and original ERP sales order whose term (latest end of
-- the original and its live amendments) ends more than var('recon_r6_contract_end_grace_days') days before
-- the last APPROVED time entry on its project (R6_CONTRACT_END: work delivered outside the contract).
with deals as (
    select * from {{ ref('int_deals_compared') }}
),

start_breaks as (
    select * from deals
    where psa_project_id is not null
        and opportunity_stage_category = 'won'
        and project_start_date
            < {{ dbt.dateadd('day', -var('recon_r6_start_grace_days'), 'opportunity_close_date') }}
),

end_breaks as (
    select * from deals
    where erp_sales_order_id is not null
        and psa_project_id is not null
        and contract_end_date is not null
        and last_approved_spent_date
            > {{ dbt.dateadd('day', var('recon_r6_contract_end_grace_days'), 'contract_end_date') }}
),

-- approved billable time delivered after the contract's end: the value worked outside the contract
time_after_end as (
    select
        b.erp_sales_order_id,
        sum(t.hours * t.bill_rate) as value_after_end,
        min(t.spent_date) as first_spent_after_end
    from end_breaks as b
    inner join {{ throughline.psa_input('time_entries') }} as t
        on t.project_id = b.psa_project_id
        and t.spent_date > b.contract_end_date
        and t.time_entry_status = 'approved'
        and coalesce(t.is_billable, false)
    group by b.erp_sales_order_id
)

select
    {{ throughline.recon_columns(
        check_id="'R6_START_BEFORE_CLOSE'",
        source_system="'psa'",
        source_object="'projects'",
        record_key=throughline.recon_json([('id', 'psa_project_id', 'number')]),
        related_keys=throughline.recon_json([
            ('crm_opportunity_id', 'crm_opportunity_id', 'string'),
            ('close_date', 'opportunity_close_date', 'string'),
            ('start_date', 'project_start_date', 'string')]),
        client_key='client_key',
        project_key='psa_project_id',
        legal_entity_key='project_legal_entity_key',
        currency_code='project_currency_code',
        event_date='project_start_date'
    ) }}
from start_breaks

union all

select
    {{ throughline.recon_columns(
        check_id="'R6_CONTRACT_END'",
        source_system="'netsuite'",
        source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'b.erp_sales_order_id', 'number')]),
        related_keys=throughline.recon_json([
            ('psa_project_id', 'b.psa_project_id', 'string'),
            ('last_time_entry', 'b.last_approved_spent_date', 'string'),
            ('enddate', 'b.contract_end_date', 'string')]),
        client_key='b.client_key',
        project_key='b.psa_project_id',
        legal_entity_key='b.project_legal_entity_key',
        currency_code='b.project_currency_code',
        expected_amount='0',
        actual_amount='coalesce(a.value_after_end, 0)',
        difference_amount='coalesce(a.value_after_end, 0)',
        amount_at_risk='coalesce(a.value_after_end, 0)',
        amount_at_risk_reporting=throughline.recon_to_reporting('coalesce(a.value_after_end, 0)', 'fx', 'b.project_currency_code'),
        event_date='coalesce(a.first_spent_after_end, b.last_approved_spent_date)'
    ) }}
from end_breaks as b
left join time_after_end as a on a.erp_sales_order_id = b.erp_sales_order_id
{{ throughline.recon_join_reporting_rate('fx', 'b.project_currency_code', 'coalesce(a.first_spent_after_end, b.last_approved_spent_date)') }}
