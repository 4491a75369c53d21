-- Public holidays per country.
with source as (
    select * from {{ source('psa', 'holidays') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as holiday_id,
    {{ code_str('country_code') }} as country_code,
    holiday_date,
    {{ adapter.quote('name') }} as holiday_name,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
