-- Chart of accounts with the account type decoded.
with source as (
    select * from {{ source('netsuite', 'account') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ id_str('id') }} as account_id,
    {{ id_str('acctnumber') }} as account_number,
    fullname as account_name,
    accttype as account_type_code,
    {{ decode_netsuite_account_type('accttype') }} as account_type,
    sspecacct as special_account_type,
    {{ label_str('generalrate') }} as general_rate_type,
    eliminate as is_eliminated,
    issummary as is_summary,
    isinactive as is_inactive,
    {{ id_str(adapter.quote('parent')) }} as parent_account_id,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
