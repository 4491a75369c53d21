-- R2: running (var('recon_r2_open_statuses')) billable client project whose deal has no Closed Won
-- opportunity by any link (recorded ids or the deal crosswalk), created more than var('recon_r2_window_days')
-- days before the night's PSA extract.
with breaks as (
    select
        *,
        {{ dbt.dateadd('day', var('recon_r2_window_days'), 'cast(project_created_at as date)') }} as overdue_date
    from {{ ref('int_deals_compared') }}
    where psa_project_id is not null
        and is_project_billable
        and project_status in ('{{ var("recon_r2_open_statuses") | join("', '") }}')
        and coalesce(opportunity_stage_category, 'none') <> 'won'
        and project_created_at
            < {{ dbt.dateadd('day', -var('recon_r2_window_days'), throughline.recon_detected_on('psa')) }}
)

select
    {{ throughline.recon_columns(
        check_id="'R2'",
        source_system="'psa'",
        source_object="'projects'",
        record_key=throughline.recon_json([('id', 'psa_project_id', 'number')]),
        related_keys=throughline.recon_json([
            ('client_id', 'psa_client_id', 'number'),
            ('crm_opportunity_id', 'crm_opportunity_id', 'string'),
            ('erp_sales_order_id', 'erp_sales_order_id', 'number')]),
        client_key='client_key',
        project_key='psa_project_id',
        legal_entity_key='project_legal_entity_key',
        currency_code='project_currency_code',
        expected_amount='0',
        actual_amount='project_budget_amount',
        difference_amount='project_budget_amount',
        amount_at_risk='project_budget_amount',
        amount_at_risk_reporting=throughline.recon_to_reporting('project_budget_amount', 'fx', 'project_currency_code'),
        event_date='overdue_date'
    ) }}
from breaks
{{ throughline.recon_join_reporting_rate('fx', 'project_currency_code', 'overdue_date') }}
