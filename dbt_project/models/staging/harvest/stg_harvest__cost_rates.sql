-- Effective-dated cost rates of a user (end_date inclusive).
with source as (
    select * from {{ source('harvest', 'cost_rates') }}
)

select
    {{ id_str('id') }} as cost_rate_id,
    {{ id_str('parent_id') }} as user_id,
    amount as cost_rate,
    start_date,
    end_date,
    created_at,
    updated_at as modified_at,
    'harvest' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
