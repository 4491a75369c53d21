-- Transaction headers with type, status and contract type decoded.
with source as (
    select * from {{ source('netsuite', 'transaction') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as transaction_id,
    tranid as transaction_number,
    {{ adapter.quote('type') }} as transaction_type_code,
    {{ decode_netsuite_transaction_type(adapter.quote('type')) }} as transaction_type,
    trandate as transaction_date,
    createddate as created_at,
    duedate as due_date,
    closedate as close_date,
    {{ adapter.quote('status') }} as status_code,
    {{ decode_netsuite_transaction_status(adapter.quote('status')) }} as status,
    {{ id_str(adapter.quote('currency')) }} as currency_id,
    exchangerate as exchange_rate,
    {{ id_str(adapter.quote('entity')) }} as entity_id,
    {{ id_str('postingperiod') }} as accounting_period_id,
    {{ adapter.quote('posting') }} as is_posting,
    memo,
    otherrefnum as client_po_number,
    terms as payment_terms_days,
    foreigntotal as total_amount,
    taxtotal as tax_amount,
    startdate as contract_start_date,
    enddate as contract_end_date,
    voided as is_voided,
    {{ id_str('intercotransaction') }} as intercompany_transaction_id,
    custbody_contract_type as contract_type_code,
    {{ decode_contract_type('custbody_contract_type') }} as contract_type,
    custbody_nte_amount as nte_amount,
    {{ id_str('custbody_parent_contract') }} as parent_contract_transaction_id,
    {{ id_str('custbody_sf_opportunity_id') }} as crm_opportunity_id,
    {{ id_str('custbody_psa_project_id') }} as psa_project_id,
    {{ id_str('custbody_psa_change_order_id') }} as psa_change_order_id,
    {{ code_str('custbody_reason_code') }} as credit_reason_code,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
