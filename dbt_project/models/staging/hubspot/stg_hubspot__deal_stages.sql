-- Stage history: one row per stage a deal entered (the objective won / lost date).
with source as (
    select * from {{ source('hubspot', 'deal_stage') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ dbt.concat([id_str('deal_id'), "':'", "cast(_fivetran_start as " ~ dbt.type_string() ~ ")", "':'",
                   id_str('value')]) }} as deal_stage_id,
    {{ id_str('deal_id') }} as deal_id,
    {{ id_str('value') }} as stage_id,
    coalesce(date_entered, _fivetran_start) as entered_at,
    _fivetran_end as left_at,
    coalesce(_fivetran_active, false) as is_current,
    {{ adapter.quote('source') }} as change_source,
    {{ id_str('source_id') }} as changed_by_id,
    _fivetran_synced as modified_at,
    'hubspot' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
