-- R3: won opportunity whose amount differs from the original ERP sales order total, or from the PSA budget
-- net of approved change orders, by more than max(var('recon_r3_tolerance_pct') x amount,
-- var('recon_r3_tolerance_amount')). Only faces in the opportunity's currency are compared (a currency
-- difference is R5_CURRENCY's break).
with deals as (
    select
        d.*,
        case when d.contract_currency_code = d.opportunity_currency_code then d.contract_amount end
            as erp_value,
        case when d.project_currency_code = d.opportunity_currency_code then d.project_original_budget_amount end
            as psa_value,
        case when {{ var('recon_r3_tolerance_pct') }} * abs(d.opportunity_amount) > {{ var('recon_r3_tolerance_amount') }}
            then {{ var('recon_r3_tolerance_pct') }} * abs(d.opportunity_amount)
            else {{ var('recon_r3_tolerance_amount') }} end as tolerance
    from {{ ref('int_deals_compared') }} as d
    where d.crm_opportunity_id is not null
        and d.opportunity_stage_category = 'won'
        and d.opportunity_amount is not null
),

breaks as (
    select
        *,
        -- the face that disagrees (ERP first: the signed contract), the other when the ERP agrees
        case when abs(opportunity_amount - erp_value) > tolerance then erp_value else psa_value end
            as expected_value
    from deals
    where abs(opportunity_amount - erp_value) > tolerance
        or abs(opportunity_amount - psa_value) > tolerance
)

select
    {{ throughline.recon_columns(
        check_id="'R3'",
        source_system="'" ~ (throughline.crm_system() | trim) ~ "'",
        source_object="'" ~ (throughline.crm_object('opportunities') | trim) ~ "'",
        record_key=throughline.recon_json([('id', 'crm_opportunity_id', 'string')]),
        related_keys=throughline.recon_json([
            ('psa_project_id', 'psa_project_id', 'string'),
            ('erp_sales_order_id', 'erp_sales_order_id', 'string')]),
        client_key='client_key',
        project_key='psa_project_id',
        legal_entity_key='opportunity_legal_entity_key',
        currency_code='opportunity_currency_code',
        expected_amount='expected_value',
        actual_amount='opportunity_amount',
        difference_amount='opportunity_amount - expected_value',
        amount_at_risk='abs(opportunity_amount - expected_value)',
        amount_at_risk_reporting=throughline.recon_to_reporting('abs(opportunity_amount - expected_value)', 'fx', 'opportunity_currency_code'),
        event_date='opportunity_close_date'
    ) }}
from breaks
{{ throughline.recon_join_reporting_rate('fx', 'opportunity_currency_code', 'opportunity_close_date') }}
