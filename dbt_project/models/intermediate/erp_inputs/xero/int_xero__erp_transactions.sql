-- Xero documents (int_xero__documents) as the canonical ERP transactions (the columns of
-- stg_netsuite__transactions). Status: PAID -> paid_in_full, AUTHORISED -> open, VOIDED -> voided, settlements
-- and journals -> closed. The accounting period is the document's calendar month (int_xero__erp_accounting_periods).
-- Xero has no payment terms, NTE caps, CRM / PSA ids or intercompany links on documents: typed nulls.
-- Accepted quotes are the contracts (sales orders, not posting; int_xero__quotes): CRM opportunity from the
-- reference, PSA project from the title, contract type from the terms, end date from the expiry date.
select
    d.transaction_id,
    d.transaction_number,
    d.type_code as transaction_type_code,
    d.transaction_type,
    d.transaction_date,
    cast(d.modified_at as {{ dbt.type_timestamp() }}) as created_at,
    d.due_date,
    d.close_date,
    d.status_code,
    case d.status_code
        when 'PAID' then 'paid_in_full' when 'AUTHORISED' then 'open' when 'VOIDED' then 'voided'
        else 'closed' end as status,
    d.currency_code as currency_id,
    cast(1.0 / d.currency_rate as double) as exchange_rate,
    d.contact_id as entity_id,
    cast(cast({{ dbt.date_trunc('month', 'd.transaction_date') }} as date) as {{ dbt.type_string() }})
        as accounting_period_id,
    d.status_code <> 'VOIDED' as is_posting,
    d.reference as memo,
    cast(null as {{ dbt.type_string() }}) as client_po_number,
    cast(null as {{ dbt.type_bigint() }}) as payment_terms_days,
    cast(d.total as decimal(18, 2)) as total_amount,
    cast(d.total_tax as decimal(18, 2)) as tax_amount,
    cast(null as date) as contract_start_date,
    cast(null as date) as contract_end_date,
    d.status_code = 'VOIDED' as is_voided,
    cast(null as {{ dbt.type_string() }}) as intercompany_transaction_id,
    cast(null as {{ dbt.type_string() }}) as contract_type_code,
    cast(null as {{ dbt.type_string() }}) as contract_type,
    cast(null as decimal(18, 2)) as nte_amount,
    cast(null as {{ dbt.type_string() }}) as parent_contract_transaction_id,
    cast(null as {{ dbt.type_string() }}) as crm_opportunity_id,
    cast(null as {{ dbt.type_string() }}) as psa_project_id,
    cast(null as {{ dbt.type_string() }}) as psa_change_order_id,
    cast(null as {{ dbt.type_string() }}) as credit_reason_code,
    cast(d.modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    d._source_file,
    d._source_row,
    d._extract_date,
    d._loaded_at
from {{ ref('int_xero__documents') }} as d

union all

select
    q.transaction_id,
    q.transaction_number,
    'QUOTE' as transaction_type_code,
    'sales_order' as transaction_type,
    q.transaction_date,
    cast(q.modified_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(null as date) as due_date,
    cast(null as date) as close_date,
    q.status_code,
    q.status,
    q.currency_code as currency_id,
    cast(1.0 / q.currency_rate as double) as exchange_rate,
    q.contact_id as entity_id,
    cast(cast({{ dbt.date_trunc('month', 'q.transaction_date') }} as date) as {{ dbt.type_string() }})
        as accounting_period_id,
    false as is_posting,
    q.reference as memo,
    cast(null as {{ dbt.type_string() }}) as client_po_number,
    cast(null as {{ dbt.type_bigint() }}) as payment_terms_days,
    cast(q.total as decimal(18, 2)) as total_amount,
    cast(q.total_tax as decimal(18, 2)) as tax_amount,
    cast(null as date) as contract_start_date,
    q.contract_end_date,
    false as is_voided,
    cast(null as {{ dbt.type_string() }}) as intercompany_transaction_id,
    q.contract_type_code,
    q.contract_type,
    cast(null as decimal(18, 2)) as nte_amount,
    q.parent_contract_transaction_id,
    q.crm_opportunity_id,
    q.psa_project_id,
    cast(null as {{ dbt.type_string() }}) as psa_change_order_id,
    cast(null as {{ dbt.type_string() }}) as credit_reason_code,
    cast(q.modified_at as {{ dbt.type_timestamp() }}) as modified_at,
    'xero' as source_system,
    q._source_file,
    q._source_row,
    q._extract_date,
    q._loaded_at
from {{ ref('int_xero__quotes') }} as q
