-- Practices and their service line.
with source as (
    select * from {{ source('psa', 'practices') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as practice_id,
    {{ code_str('code') }} as practice_code,
    {{ adapter.quote('name') }} as practice_name,
    service_line as service_line_name,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
