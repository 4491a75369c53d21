-- Stage and amount changes per deal (the objective won date).
with source as (
    select * from {{ source('salesforce', 'opportunity_history') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as opportunity_history_id,
    {{ id_str('opportunity_id') }} as opportunity_id,
    stage_name,
    {{ decode_salesforce_stage_category('stage_name') }} as stage_category,
    amount,
    close_date,
    probability,
    forecast_category,
    {{ id_str('created_by_id') }} as changed_by_user_id,
    created_date as changed_at,
    system_modstamp as modified_at,
    'salesforce' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
