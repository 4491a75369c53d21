-- Chart of accounts.
with source as (
    select * from {{ source('quickbooks', 'account') }}
    where not coalesce(_is_deleted, false)
)

select
    coalesce(source_relation, '') as source_relation,
    {{ id_str('id') }} as account_id,
    name as account_name,
    fully_qualified_name,
    {{ id_str('account_number') }} as account_number,
    account_type,
    account_sub_type,
    classification,
    {{ id_str('parent_account_id') }} as parent_account_id,
    {{ code_str('currency_id') }} as currency_code,
    active as is_active,
    updated_at as modified_at,
    'quickbooks' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
