-- Vendors (suppliers and subcontractors).
with source as (
    select * from {{ source('quickbooks', 'vendor') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as vendor_id,
    display_name as vendor_name,
    company_name,
    {{ code_str('currency_id') }} as currency_code,
    active as is_active,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
