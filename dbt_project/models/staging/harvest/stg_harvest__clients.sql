-- Harvest clients.
with source as (
    select * from {{ source('harvest', 'clients') }}
)

select
    {{ id_str('id') }} as client_id,
    {{ adapter.quote('name') }} as client_name,
    is_active,
    address,
    {{ code_str(adapter.quote('currency')) }} as currency_code,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
