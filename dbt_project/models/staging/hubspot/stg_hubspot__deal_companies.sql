-- Deal-to-company associations; type 5 is HubSpot's primary company of a deal.
with source as (
    select * from {{ source('hubspot', 'deal_company') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('deal_id') }} as deal_id,
    {{ id_str('company_id') }} as company_id,
    {{ id_str('type_id') }} as association_type_id,
    coalesce({{ id_str('type_id') }} = '5', false) as is_primary,
    category as association_category,
    _fivetran_synced as modified_at,
    'hubspot' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
