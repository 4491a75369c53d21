-- Xero tracking categories (two optional analysis dimensions).
with source as (
    select * from {{ source('xero', 'tracking_category') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('tracking_category_id') }} as tracking_category_id,
    {{ adapter.quote('name') }} as tracking_category_name,
    {{ code_str('status') }} as status,
    _fivetran_synced as modified_at,
    coalesce(source_relation, 'xero') as source_relation,
    'xero' as source_system,
    _source_file,
    _source_row,
    _extract_date,
    _loaded_at
from source
