-- QuickBooks documents as canonical ERP transaction headers (the columns of stg_netsuite__transactions).
-- Status from the open balance: an invoice or credit memo with nothing open is paid_in_full, else open; a
-- payment is closed, a journal entry posted (paid_in_full, as NetSuite reports an approved journal). What
-- QuickBooks does not carry (contract type, NTE, CRM ids, intercompany pairing, reason codes) is null; the PSA
-- project is the job the document is on (int_quickbooks__jobs).
-- A zero payment (how QuickBooks records applying a credit memo to an invoice) posts nothing and is not a
-- transaction: its application is a credit memo link (int_quickbooks__erp_transaction_links).
-- Accepted estimates are the contracts (sales orders, not posting): contract type, NTE, dates, parent contract,
-- CRM opportunity and PSA project as int_quickbooks__estimates resolves them.
with docs as (
    select * from {{ ref('int_quickbooks__documents') }}
    where not (transaction_type = 'payment' and coalesce(total_amount, 0) = 0)
)

select
    transaction_id,
    transaction_number,
    transaction_type_code,
    transaction_type,
    transaction_date,
    created_at,
    due_date,
    cast(null as date) as close_date,
    cast(null as {{ dbt.type_string() }}) as status_code,
    case
        when transaction_type = 'payment' then 'closed'
        when transaction_type = 'journal' then 'paid_in_full'
        when coalesce(open_amount, 0) = 0 then 'paid_in_full'
        else 'open'
    end as status,
    currency_code as currency_id,
    cast(exchange_rate as {{ throughline.ratio_type() }}) as exchange_rate,
    customer_id as entity_id,
    cast(cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as {{ dbt.type_string() }})
        as accounting_period_id,
    true as is_posting,
    cast(null as {{ dbt.type_string() }}) as memo,
    cast(null as {{ dbt.type_string() }}) as client_po_number,
    cast(null as {{ dbt.type_bigint() }}) as payment_terms_days,
    total_amount,
    tax_amount,
    cast(null as date) as contract_start_date,
    cast(null as date) as contract_end_date,
    false as is_voided,
    cast(null as {{ dbt.type_string() }}) as intercompany_transaction_id,
    cast(null as {{ dbt.type_string() }}) as contract_type_code,
    cast(null as {{ dbt.type_string() }}) as contract_type,
    cast(null as decimal(18, 2)) as nte_amount,
    cast(null as {{ dbt.type_string() }}) as parent_contract_transaction_id,
    cast(null as {{ dbt.type_string() }}) as crm_opportunity_id,
    psa_project_id,
    cast(null as {{ dbt.type_string() }}) as psa_change_order_id,
    cast(null as {{ dbt.type_string() }}) as credit_reason_code,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from docs

union all

select
    transaction_id,
    transaction_number,
    'Estimate' as transaction_type_code,
    'sales_order' as transaction_type,
    transaction_date,
    created_at,
    cast(null as date) as due_date,
    cast(null as date) as close_date,
    status_code,
    status,
    currency_code as currency_id,
    cast(exchange_rate as {{ throughline.ratio_type() }}) as exchange_rate,
    customer_id as entity_id,
    cast(cast({{ dbt.date_trunc('month', 'transaction_date') }} as date) as {{ dbt.type_string() }})
        as accounting_period_id,
    false as is_posting,
    memo,
    cast(null as {{ dbt.type_string() }}) as client_po_number,
    cast(null as {{ dbt.type_bigint() }}) as payment_terms_days,
    total_amount,
    tax_amount,
    contract_start_date,
    contract_end_date,
    false as is_voided,
    cast(null as {{ dbt.type_string() }}) as intercompany_transaction_id,
    contract_type_code,
    contract_type,
    nte_amount,
    parent_contract_transaction_id,
    crm_opportunity_id,
    psa_project_id,
    cast(null as {{ dbt.type_string() }}) as psa_change_order_id,
    cast(null as {{ dbt.type_string() }}) as credit_reason_code,
    modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from {{ ref('int_quickbooks__estimates') }}
