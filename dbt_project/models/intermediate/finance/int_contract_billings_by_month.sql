{#- Fee billings per contract (PSA project) and month, net of credit memos, in the contract currency: the
    billing side of the contract-balance identity (revrec v1). Reads the NetSuite invoice and credit memo
    lines from staging (the same lines as fct_invoice_lines, which is a mart this layer never reads). Tax
    lines, voided documents and items of the types in var revrec_excluded_billing_item_types (expense
    recharges) are excluded: revenue v1 covers fees only. Credit memos land as positive amounts and are
    subtracted (macro billing_sign). A line in another currency than the contract is converted at the spot
    rate of its date. -#}

with contracts as (
    select project_id, currency_code as contract_currency_code from {{ throughline.psa_input('projects') }}
),

excluded_items as (
    select item_id from {{ throughline.erp_input('items') }}
    where item_type in {{ string_list(var('revrec_excluded_billing_item_types')) }}
),

billing_documents as (
    select transaction_id, transaction_type, transaction_date, currency_id, psa_project_id,
        coalesce(is_voided, false) as is_voided
    from {{ throughline.erp_input('transactions') }}
    where transaction_type in ('invoice', 'credit_memo')
),

currencies as (
    select currency_id, currency_code from {{ throughline.erp_input('currencies') }}
),

billing_lines as (
    {#- every non-header line of an invoice or credit memo, as fct_invoice_lines holds it -#}
    select
        coalesce(l.psa_project_id, h.psa_project_id) as psa_project_id,
        h.transaction_date,
        h.transaction_type,
        coalesce(cur.currency_code, '-1') as transaction_currency_code,
        l.amount_transaction,
        l.item_id as erp_item_id,
        coalesce(l.is_tax_line, false) as is_tax_line,
        h.is_voided
    from {{ throughline.erp_input('transaction_lines') }} as l
    inner join billing_documents as h on l.transaction_id = h.transaction_id
    left join currencies as cur on h.currency_id = cur.currency_id
    where not coalesce(l.is_main_line, false)
),

lines as (
    select
        l.psa_project_id as project_id,
        cast({{ dbt.date_trunc('month', 'l.transaction_date') }} as date) as billing_month,
        l.transaction_type,
        l.transaction_currency_code,
        coalesce(c.contract_currency_code, l.transaction_currency_code) as contract_currency_code,
        cast(l.amount_transaction
            * {{ fx_rate('fx', 'l.transaction_currency_code',
                'coalesce(c.contract_currency_code, l.transaction_currency_code)') }}
            as {{ throughline.amount_type() }}) as amount_contract
    from billing_lines as l
    left join contracts as c on l.psa_project_id = c.project_id
    {{ join_spot_rate('fx', 'l.transaction_currency_code', 'c.contract_currency_code', 'l.transaction_date') }}
    where l.psa_project_id is not null
        and not l.is_tax_line
        and not l.is_voided
        and l.transaction_type in ('invoice', 'credit_memo')
        and (l.erp_item_id is null or l.erp_item_id not in (select item_id from excluded_items))
)

select
    project_id,
    billing_month,
    contract_currency_code,
    cast(sum(case when transaction_type = 'invoice' then amount_contract else 0 end) as numeric(18, 2))
        as invoiced_amount,
    cast(sum(case when transaction_type = 'credit_memo' then amount_contract else 0 end) as numeric(18, 2))
        as credited_amount,
    cast(sum({{ billing_sign('transaction_type') }} * amount_contract) as numeric(18, 2)) as net_billed_amount,
    max(case when transaction_currency_code <> contract_currency_code then 1 else 0 end) = 1
        as has_currency_conversion,
    max(case when amount_contract is null then 1 else 0 end) = 1 as is_fx_rate_missing
from lines
group by project_id, billing_month, contract_currency_code
