{#- B6: milestone status vs invoice existence. B6_ACCEPTED_NOT_BILLED: accepted milestone with no invoice
    var('recon_b6_window_days') days after it became billable (acceptance on milestone-billed contracts; the
    later of due date and acceptance on a fixed-fee schedule). B6_BILLED_NOT_ACCEPTED: milestone of a
    milestone-billed contract (billed on acceptance) invoiced while not accepted. A milestone counts as
    invoiced when the PSA links it to a posted, non-voided invoice or an invoice line names it. Declared in
    _checks__models.yml. -#}
{%- set window_days = var('recon_b6_window_days') | int %}
{%- set reporting = "'" ~ var('reporting_currency') ~ "'" %}

with invoices as (
    select transaction_id, transaction_date
    from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'invoice' and not coalesce(is_voided, false)
),

invoiced_by_line as (
    select l.psa_milestone_id as milestone_id, min(i.transaction_id) as invoice_id,
        min(i.transaction_date) as invoice_date
    from {{ throughline.erp_input('transaction_lines') }} as l
    inner join invoices as i on l.transaction_id = i.transaction_id
    where l.psa_milestone_id is not null
    group by l.psa_milestone_id
),

milestones as (
    select
        m.milestone_id,
        m.project_id,
        m.milestone_name,
        m.milestone_status,
        m.amount,
        m.due_date,
        m.accepted_date,
        p.contract_type,
        p.currency_code,
        coalesce(li.invoice_id, i.transaction_id) as invoice_id,
        coalesce(li.invoice_date, i.transaction_date) as invoice_date,
        (m.milestone_status = 'accepted' and m.accepted_date is not null) as is_accepted,
        case when p.contract_type = 'fixed_fee' and m.due_date > m.accepted_date then m.due_date
            else m.accepted_date end as billable_from_date
    from {{ throughline.psa_input('milestones') }} as m
    inner join {{ throughline.psa_input('projects') }} as p on m.project_id = p.project_id
    left join invoices as i on m.erp_invoice_id = i.transaction_id
    left join invoiced_by_line as li on m.milestone_id = li.milestone_id
),

breaks as (
    select 'B6_ACCEPTED_NOT_BILLED' as check_id, m.*, m.billable_from_date as event_on
    from milestones as m
    where m.is_accepted
        and m.invoice_id is null
        and {{ dbt.dateadd('day', window_days, 'm.billable_from_date') }} < {{ throughline.recon_detected_on('psa') }}
    union all
    select 'B6_BILLED_NOT_ACCEPTED' as check_id, m.*, m.invoice_date as event_on
    from milestones as m
    where m.contract_type = 'milestone'
        and not m.is_accepted
        and m.invoice_id is not null
),

keyed as (
    select b.*, p.client_key, p.project_key, p.legal_entity_key
    from breaks as b
    left join {{ ref('dim_project') }} as p on b.project_id = p.project_key
)

select
    {{ throughline.recon_columns(
        check_id='k.check_id',
        source_system="'psa'",
        source_object="'milestones'",
        record_key=throughline.recon_json([('id', 'k.milestone_id', 'number')]),
        related_keys=throughline.recon_json([
            ('project_id', 'k.project_id', 'number'),
            ('status', 'k.milestone_status', 'string'),
            ('due_date', 'k.due_date', 'string'),
            ('accepted_date', 'k.accepted_date', 'string'),
            ('invoice_id', 'k.invoice_id', 'number')]),
        client_key='k.client_key',
        project_key='k.project_key',
        legal_entity_key='k.legal_entity_key',
        currency_code='k.currency_code',
        expected_amount="case when k.check_id = 'B6_ACCEPTED_NOT_BILLED' then k.amount else 0 end",
        actual_amount="case when k.check_id = 'B6_ACCEPTED_NOT_BILLED' then 0 else k.amount end",
        difference_amount="case when k.check_id = 'B6_ACCEPTED_NOT_BILLED' then -k.amount else k.amount end",
        amount_at_risk='k.amount',
        amount_at_risk_reporting='k.amount * ' ~ throughline.fx_rate('fx', 'k.currency_code', reporting),
        event_date='k.event_on',
    ) }}
from keyed as k
{{ throughline.join_spot_rate('fx', 'k.currency_code', reporting, 'k.event_on') }}
