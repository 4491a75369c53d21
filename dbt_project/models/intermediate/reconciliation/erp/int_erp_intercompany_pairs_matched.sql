{#- One row per intercompany invoice (a customer invoice to a customer that represents a group subsidiary)
    with its counterpart vendor bill in the buying entity, matched by NetSuite's intercompany transaction
    link in either direction (the lowest bill id when several claim the invoice; bill columns NULL when
    none does). Carries what I1-I5 compare: amounts in transaction currency, periods, the counterparties
    each side booked, and the bill's exchange rate next to the spot rate of the invoice date from the
    bill's currency to the buying entity's functional currency (int_fx_rates_daily). -#}
with documents as (
    select * from {{ ref('int_erp_documents_resolved') }}
    where not is_voided
),

customers as (
    select customer_id, representing_subsidiary_id from {{ throughline.erp_input('customers') }}
),

vendors as (
    select vendor_id, representing_subsidiary_id from {{ throughline.erp_input('vendors') }}
),

invoices as (
    select d.*, c.representing_subsidiary_id as customer_represents_subsidiary_id
    from documents as d
    inner join customers as c on d.entity_id = c.customer_id
    where d.transaction_type = 'invoice' and c.representing_subsidiary_id is not null
),

bills as (
    select d.*, v.representing_subsidiary_id as vendor_represents_subsidiary_id
    from documents as d
    left join vendors as v on d.entity_id = v.vendor_id
    where d.transaction_type = 'vendor_bill'
),

pairs as (
    select
        i.transaction_id as invoice_transaction_id,
        b.transaction_id as bill_transaction_id,
        row_number() over (partition by i.transaction_id order by cast(b.transaction_id as {{ dbt.type_bigint() }}))
            as rn
    from invoices as i
    inner join bills as b
        on b.intercompany_transaction_id = i.transaction_id or i.intercompany_transaction_id = b.transaction_id
)

select
    i.transaction_id as invoice_transaction_id,
    i.transaction_number as invoice_number,
    i.transaction_date as invoice_date,
    cast({{ dbt.date_trunc('month', 'i.transaction_date') }} as date) as invoice_period_start,
    i.erp_subsidiary_id as invoice_subsidiary_id,
    i.entity_id as invoice_customer_id,
    i.customer_represents_subsidiary_id,
    i.transaction_currency_code as invoice_currency_code,
    i.total_amount as invoice_total,
    i.transaction_rate_to_reporting as invoice_rate_to_reporting,
    i.legal_entity_key,
    i.client_key,
    i.project_key,
    b.transaction_id as bill_transaction_id,
    b.transaction_number as bill_number,
    b.transaction_date as bill_date,
    cast({{ dbt.date_trunc('month', 'b.transaction_date') }} as date) as bill_period_start,
    b.erp_subsidiary_id as bill_subsidiary_id,
    b.entity_id as bill_vendor_id,
    b.vendor_represents_subsidiary_id,
    b.transaction_currency_code as bill_currency_code,
    b.entity_currency_code as bill_entity_currency_code,
    b.total_amount as bill_total,
    b.exchange_rate as bill_exchange_rate,
    {{ throughline.fx_rate('fx', 'b.transaction_currency_code', 'b.entity_currency_code') }} as invoice_date_spot_rate
from invoices as i
left join pairs as p on i.transaction_id = p.invoice_transaction_id and p.rn = 1
left join bills as b on p.bill_transaction_id = b.transaction_id
{{ throughline.join_spot_rate('fx', 'b.transaction_currency_code', 'b.entity_currency_code', 'i.transaction_date') }}
