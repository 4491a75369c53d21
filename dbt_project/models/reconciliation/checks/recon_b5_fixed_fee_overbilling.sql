{#- B5: fixed-fee project invoiced above what its contract allows so far: the milestone lines invoiced (posted,
    non-voided invoices, net of tax) exceed the lesser of (a) the PSA schedule amounts of the milestones
    invoiced and (b) contract value (PSA budget) plus approved change orders, by more than
    var('recon_b5_tolerance_amount'). Declared in _checks__models.yml. -#}
{%- set tolerance = var('recon_b5_tolerance_amount') %}
{%- set reporting = "'" ~ var('reporting_currency') ~ "'" %}

with fixed_fee as (
    select project_id, currency_code, budget_amount, erp_sales_order_id
    from {{ throughline.psa_input('projects') }}
    where contract_type = 'fixed_fee'
),

invoices as (
    select transaction_id, transaction_date
    from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'invoice' and not coalesce(is_voided, false)
),

milestone_billing as (
    select
        l.psa_project_id as project_id,
        l.psa_milestone_id as milestone_id,
        sum(l.amount_transaction) as invoiced_amount,
        max(i.transaction_date) as last_invoice_date
    from {{ throughline.erp_input('transaction_lines') }} as l
    inner join invoices as i on l.transaction_id = i.transaction_id
    where l.psa_milestone_id is not null
        and not coalesce(l.is_main_line, false)
        and not coalesce(l.is_tax_line, false)
    group by l.psa_project_id, l.psa_milestone_id
),

change_orders as (
    select project_id, sum(amount_change) as approved_change_amount
    from {{ ref('int_change_orders_approved') }}
    group by project_id
),

by_project as (
    select
        f.project_id,
        f.currency_code,
        f.erp_sales_order_id,
        f.budget_amount + coalesce(c.approved_change_amount, 0) as contract_value,
        sum(b.invoiced_amount) as invoiced_amount,
        sum(coalesce(m.amount, 0)) as scheduled_amount,
        count(*) as milestones_invoiced,
        max(b.last_invoice_date) as last_invoice_date
    from fixed_fee as f
    inner join milestone_billing as b on f.project_id = b.project_id
    left join {{ throughline.psa_input('milestones') }} as m on b.milestone_id = m.milestone_id
    left join change_orders as c on f.project_id = c.project_id
    group by f.project_id, f.currency_code, f.erp_sales_order_id, f.budget_amount, c.approved_change_amount
),

breaks as (
    select
        b.*,
        case when b.scheduled_amount < b.contract_value then b.scheduled_amount else b.contract_value end
            as allowed_amount,
        p.client_key,
        p.project_key,
        p.legal_entity_key
    from by_project as b
    left join {{ ref('dim_project') }} as p on b.project_id = p.project_key
    where b.invoiced_amount - (case when b.scheduled_amount < b.contract_value then b.scheduled_amount
        else b.contract_value end) > {{ tolerance }}
)

select
    {{ throughline.recon_columns(
        check_id="'B5'",
        source_system="'psa'",
        source_object="'projects'",
        record_key=throughline.recon_json([('id', 'b.project_id', 'number')]),
        related_keys=throughline.recon_json([
            ('erp_sales_order_id', 'b.erp_sales_order_id', 'string'),
            ('contract_value', 'b.contract_value', 'number'),
            ('scheduled_amount_invoiced_milestones', 'b.scheduled_amount', 'number'),
            ('milestones_invoiced', 'b.milestones_invoiced', 'number')]),
        client_key='b.client_key',
        project_key='b.project_key',
        legal_entity_key='b.legal_entity_key',
        currency_code='b.currency_code',
        expected_amount='b.allowed_amount',
        actual_amount='b.invoiced_amount',
        difference_amount='b.invoiced_amount - b.allowed_amount',
        amount_at_risk='b.invoiced_amount - b.allowed_amount',
        amount_at_risk_reporting='(b.invoiced_amount - b.allowed_amount) * ' ~ throughline.fx_rate('fx', 'b.currency_code', reporting),
        event_date='b.last_invoice_date',
    ) }}
from breaks as b
{{ throughline.join_spot_rate('fx', 'b.currency_code', reporting, 'b.last_invoice_date') }}
