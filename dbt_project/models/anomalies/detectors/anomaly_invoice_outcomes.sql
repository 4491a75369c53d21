-- One row per customer invoice (intercompany left out) with how it was settled: the day payments and
-- credits first covered it (settled_on), its days past due at that day, and whether it was late: settled
-- more than anomaly_late_days after its due date, or still open that long after it. The outcome is known
-- (is_outcome_known) once the invoice is settled or tonight is past due_date + anomaly_late_days. The
-- late-payment drift detector and the cash-risk model (orchestration/assets/anomalies.py) read it.
{%- set late_days = var('anomaly_late_days') %}

with tonight as (
    select {{ throughline.recon_detected_on('netsuite') }} as night
),

invoices as (
    select
        invoice_transaction_id, invoice_number, erp_customer_id, client_key, project_key,
        legal_entity_key, transaction_currency_code, invoice_date, due_date, original_amount
    from {{ ref('int_ar_invoices') }}
    where not is_intercompany and original_amount > 0
),

applied as (
    select
        a.invoice_transaction_id, a.application_date, a.application_type,
        sum(a.applied_amount) over (
            partition by a.invoice_transaction_id order by a.application_date, a.application_id
            rows between unbounded preceding and current row
        ) as applied_to_date
    from {{ ref('int_ar_applications') }} as a
),

settled as (
    select a.invoice_transaction_id, min(a.application_date) as settled_on
    from applied as a
    inner join invoices as i on i.invoice_transaction_id = a.invoice_transaction_id
    where a.applied_to_date >= i.original_amount - 0.01
    group by a.invoice_transaction_id
),

totals as (
    select
        invoice_transaction_id,
        sum(applied_amount) as applied_amount,
        sum(case when application_type = 'credit_memo' then applied_amount else 0 end) as credited_amount
    from {{ ref('int_ar_applications') }}
    group by invoice_transaction_id
)

select
    i.invoice_transaction_id,
    i.invoice_number,
    i.erp_customer_id,
    i.client_key,
    i.project_key,
    i.legal_entity_key,
    i.transaction_currency_code,
    i.invoice_date,
    i.due_date,
    i.original_amount,
    coalesce(t.credited_amount, 0) as credited_amount,
    i.original_amount - coalesce(t.applied_amount, 0) as open_amount,
    s.settled_on,
    s.settled_on is null as is_open,
    case when s.settled_on is not null then {{ dbt.datediff('i.due_date', 's.settled_on', 'day') }} end
        as days_late_at_settlement,
    {{ dbt.datediff('i.due_date', 'n.night', 'day') }} as days_past_due_tonight,
    s.settled_on is not null or n.night > {{ dbt.dateadd('day', late_days, 'i.due_date') }} as is_outcome_known,
    case
        when s.settled_on is not null then s.settled_on > {{ dbt.dateadd('day', late_days, 'i.due_date') }}
        when n.night > {{ dbt.dateadd('day', late_days, 'i.due_date') }} then true
    end as is_late,
    n.night as as_of_date
from invoices as i
cross join tonight as n
left join settled as s on s.invoice_transaction_id = i.invoice_transaction_id
left join totals as t on t.invoice_transaction_id = i.invoice_transaction_id
