-- Estimates (quotes), amounts in the transaction currency; the three custom fields a firm fills in for an
-- accepted estimate to be its contract (CRM opportunity, contract type, not-to-exceed) renamed.
with source as (
    select * from {{ source('quickbooks', 'estimate') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as estimate_id,
    {{ id_str('doc_number') }} as estimate_number,
    {{ id_str('customer_id') }} as customer_id,
    transaction_date as estimate_date,
    expiration_date,
    accepted_date,
    transaction_status as estimate_status,
    {{ code_str('currency_id') }} as currency_code,
    exchange_rate,
    total_amount,
    total_tax as tax_amount,
    home_total_amount,
    {{ id_str('class_id') }} as class_id,
    {{ id_str('department_id') }} as department_id,
    private_note as memo,
    {{ id_str('custom_crm_opportunity_id') }} as crm_opportunity_id,
    custom_contract_type as contract_type_code,
    {{ decode_contract_type('custom_contract_type') }} as contract_type,
    custom_not_to_exceed as nte_amount,
    created_at,
    coalesce(updated_at, _fivetran_synced) as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
