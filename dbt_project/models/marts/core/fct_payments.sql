{#- Customer payments and their applications: one row per application of a payment to an invoice line
    (row_type = application) plus one row per payment for any amount not applied (row_type = unapplied),
    so the amounts of a payment's rows always sum to the payment total. Transaction currency amounts are
    NetSuite's; reporting amounts use the spot rate on the payment date.
    client_key from int_clients_matched by ERP customer; project_key / contract_key of the invoice applied
    to (its PSA project and that project's sales order, int_psa_project_context); '-1' unresolved and on
    unapplied rows. -#}

with payments as (
    select * from {{ throughline.erp_input('transactions') }}
    where transaction_type = 'payment'
),

applications as (
    select * from {{ throughline.erp_input('transaction_links') }}
    where link_type = 'payment'
),

main_lines as (
    {{ transaction_subsidiaries() }}
),

entities as (
    select * from {{ ref('dim_legal_entity') }} where not is_unknown
),

clients_by_erp as (
    select erp_customer_id, client_key from {{ ref('int_clients_matched') }} where erp_customer_id is not null
),

invoice_projects as (
    {#- the conformed project and contract of the invoice a payment is applied to -#}
    select i.transaction_id, pc.psa_project_id, pc.contract_key
    from {{ throughline.erp_input('transactions') }} as i
    inner join {{ ref('int_psa_project_context') }} as pc on i.psa_project_id = pc.psa_project_id
    where i.transaction_type = 'invoice'
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

applied_totals as (
    select next_transaction_id as transaction_id,
        sum(amount_transaction) as applied_transaction,
        sum(amount_functional) as applied_functional
    from applications
    group by 1
),

rows_ as (
    select
        a.transaction_link_id as payment_application_id,
        'application' as row_type,
        a.next_transaction_id as payment_transaction_id,
        a.previous_transaction_id as invoice_transaction_id,
        a.previous_line_id as invoice_line_number,
        coalesce(a.link_date, p.transaction_date) as application_date,
        a.amount_transaction,
        a.amount_functional as amount_entity_erp,
        a._loaded_at
    from applications as a
    inner join payments as p on a.next_transaction_id = p.transaction_id

    union all

    select
        {{ dbt.concat(['p.transaction_id', "'-unapplied'"]) }},
        'unapplied',
        p.transaction_id,
        null,
        null,
        p.transaction_date,
        coalesce(p.total_amount, 0) - coalesce(t.applied_transaction, 0),
        null,
        p._loaded_at
    from payments as p
    left join applied_totals as t on p.transaction_id = t.transaction_id
    where coalesce(p.total_amount, 0) <> coalesce(t.applied_transaction, 0) or t.transaction_id is null
)

select
    r.payment_application_id,
    r.row_type,
    r.payment_transaction_id,
    p.transaction_number as payment_number,
    p.transaction_date as payment_date,
    r.application_date,
    r.invoice_transaction_id,
    r.invoice_line_number,
    p.entity_id as erp_customer_id,
    coalesce(ce.client_key, '-1') as client_key,
    coalesce(ip.psa_project_id, '-1') as project_key,
    coalesce(ip.contract_key, '-1') as contract_key,
    coalesce(e.legal_entity_key, '-1') as legal_entity_key,
    coalesce(c.currency_code, '-1') as transaction_currency_code,
    r.amount_transaction,
    coalesce(e.functional_currency_code, '-1') as entity_currency_code,
    cast(coalesce(r.amount_entity_erp, {{ throughline.round_double('r.amount_transaction * p.exchange_rate') }}) as numeric(18, 2))
        as amount_entity,
    {{ reporting_currency_literal() }} as reporting_currency_code,
    {{ fx_rate_to_reporting('fx_r', 'c.currency_code') }} as fx_rate_to_reporting,
    r.amount_transaction * {{ fx_rate_to_reporting('fx_r', 'c.currency_code') }} as amount_reporting,
    'spot' as fx_rate_type,
    {{ fx_rate_to_reporting('fx_r', 'c.currency_code') }} is null as is_fx_rate_missing,
    coalesce(p.is_voided, false) as is_voided,
    r._loaded_at
from rows_ as r
inner join payments as p on r.payment_transaction_id = p.transaction_id
left join main_lines as ml on p.transaction_id = ml.transaction_id
left join entities as e on ml.subsidiary_id = e.erp_subsidiary_id
left join currencies as c on p.currency_id = c.currency_id
left join clients_by_erp as ce on p.entity_id = ce.erp_customer_id
left join invoice_projects as ip on r.invoice_transaction_id = ip.transaction_id
{{ join_spot_rate_to_reporting('fx_r', 'c.currency_code', 'p.transaction_date') }}
