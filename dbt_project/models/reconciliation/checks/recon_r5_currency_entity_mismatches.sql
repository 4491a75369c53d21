-- R5: won opportunity whose currency differs from its contract's (the ERP sales order's, else the PSA
-- project's) - R5_CURRENCY - or whose contracting entity differs from the delivering entity (the PSA
-- project's, else the sales order's subsidiary) with no intercompany agreement listed in
-- var('recon_r5_intercompany_agreements') - R5_ENTITY.
{%- set agreements = var('recon_r5_intercompany_agreements') %}
with deals as (
    select
        *,
        coalesce(contract_currency_code, project_currency_code) as agreed_currency_code,
        coalesce(project_entity_code, contract_entity_code) as delivering_entity_code
    from {{ ref('int_deals_compared') }}
    where crm_opportunity_id is not null
        and opportunity_stage_category = 'won'
),

currency_breaks as (
    select * from deals
    where opportunity_currency_code <> agreed_currency_code
),

entity_breaks as (
    select * from deals
    where opportunity_entity_code <> delivering_entity_code
    {%- if agreements | length > 0 %}
        and {{ dbt.concat(['opportunity_entity_code', "'>'", 'delivering_entity_code']) }}
            not in ('{{ agreements | join("', '") }}')
    {%- endif %}
)

select
    {{ throughline.recon_columns(
        check_id="'R5_CURRENCY'",
        source_system="'" ~ (throughline.crm_system() | trim) ~ "'",
        source_object="'" ~ (throughline.crm_object('opportunities') | trim) ~ "'",
        record_key=throughline.recon_json([('id', 'crm_opportunity_id', 'string')]),
        related_keys=throughline.recon_json([
            ('psa_project_id', 'psa_project_id', 'string'),
            ('erp_sales_order_id', 'erp_sales_order_id', 'string'),
            ('contract_currency', 'agreed_currency_code', 'string')]),
        client_key='client_key',
        project_key='psa_project_id',
        legal_entity_key='opportunity_legal_entity_key',
        currency_code='opportunity_currency_code',
        expected_amount='null',
        actual_amount='opportunity_amount',
        amount_at_risk='opportunity_amount',
        amount_at_risk_reporting=throughline.recon_to_reporting('opportunity_amount', 'fx', 'opportunity_currency_code'),
        event_date='opportunity_close_date'
    ) }}
from currency_breaks
{{ throughline.recon_join_reporting_rate('fx', 'opportunity_currency_code', 'opportunity_close_date') }}

union all

select
    {{ throughline.recon_columns(
        check_id="'R5_ENTITY'",
        source_system="'" ~ (throughline.crm_system() | trim) ~ "'",
        source_object="'" ~ (throughline.crm_object('opportunities') | trim) ~ "'",
        record_key=throughline.recon_json([('id', 'crm_opportunity_id', 'string')]),
        related_keys=throughline.recon_json([
            ('psa_project_id', 'psa_project_id', 'string'),
            ('erp_sales_order_id', 'erp_sales_order_id', 'string'),
            ('contracting_entity', 'opportunity_entity_code', 'string'),
            ('delivering_entity', 'delivering_entity_code', 'string')]),
        client_key='client_key',
        project_key='psa_project_id',
        legal_entity_key='opportunity_legal_entity_key',
        currency_code='opportunity_currency_code',
        expected_amount='null',
        actual_amount='opportunity_amount',
        amount_at_risk='opportunity_amount',
        amount_at_risk_reporting=throughline.recon_to_reporting('opportunity_amount', 'fx', 'opportunity_currency_code'),
        event_date='opportunity_close_date'
    ) }}
from entity_breaks
{{ throughline.recon_join_reporting_rate('fx', 'opportunity_currency_code', 'opportunity_close_date') }}
