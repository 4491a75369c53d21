-- Absences, one row per person-day.
with source as (
    select * from {{ source('psa', 'time_off') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as time_off_id,
    {{ id_str('resource_id') }} as resource_id,
    off_date,
    {{ adapter.quote('hours') }} as hours,
    {{ label_str(adapter.quote('type')) }} as time_off_type,
    {{ label_str(adapter.quote('status')) }} as time_off_status,
    updated_at as modified_at,
    'psa' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
