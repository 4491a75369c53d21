-- R1: Closed Won opportunity (amount > 0) with no PSA project and no ERP sales order by any link (its own
-- ids, the project's or order's reference to it, or the deal crosswalk), closed more than
-- var('recon_r1_window_days') days before the night's CRM extract.
with breaks as (
    select
        *,
        {{ dbt.dateadd('day', var('recon_r1_window_days'), 'opportunity_close_date') }} as overdue_date
    from {{ ref('int_deals_compared') }}
    where crm_opportunity_id is not null
        and opportunity_stage_category = 'won'
        and opportunity_amount > 0
        and psa_project_id is null
        and erp_sales_order_id is null
        and opportunity_close_date
            < {{ dbt.dateadd('day', -var('recon_r1_window_days'), throughline.recon_detected_on(throughline.crm_system() | trim)) }}
)

select
    {{ throughline.recon_columns(
        check_id="'R1'",
        source_system="'" ~ (throughline.crm_system() | trim) ~ "'",
        source_object="'" ~ (throughline.crm_object('opportunities') | trim) ~ "'",
        record_key=throughline.recon_json([('id', 'crm_opportunity_id', 'string')]),
        related_keys=throughline.recon_json([('account_id', 'crm_account_id', 'string')]),
        client_key='client_key',
        legal_entity_key='opportunity_legal_entity_key',
        currency_code='opportunity_currency_code',
        expected_amount='opportunity_amount',
        actual_amount='0',
        difference_amount='-opportunity_amount',
        amount_at_risk='opportunity_amount',
        amount_at_risk_reporting=throughline.recon_to_reporting('opportunity_amount', 'fx', 'opportunity_currency_code'),
        event_date='overdue_date'
    ) }}
from breaks
{{ throughline.recon_join_reporting_rate('fx', 'opportunity_currency_code', 'overdue_date') }}
