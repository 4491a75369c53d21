-- Applications: a payment or credit memo (next) applied to an invoice (previous).
with source as (
    select * from {{ source('netsuite', 'previoustransactionlinelink') }}
    where not coalesce(_is_deleted, false)
)

select
    {{ composite_key(['previousdoc', 'previousline', 'nextdoc', 'nextline', 'linktype']) }} as transaction_link_id,
    {{ id_str('previousdoc') }} as previous_transaction_id,
    previousline as previous_line_id,
    {{ id_str('nextdoc') }} as next_transaction_id,
    nextline as next_line_id,
    linktype as link_type_code,
    {{ decode_netsuite_link_type('linktype') }} as link_type,
    {{ decode_netsuite_transaction_type('previoustype') }} as previous_transaction_type,
    {{ decode_netsuite_transaction_type('nexttype') }} as next_transaction_type,
    linkdate as link_date,
    foreignamount as amount_transaction,
    amount as amount_functional,
    lastmodifieddate as modified_at,
    'netsuite' as source_system,
    _source_file,
    _source_row,
    _loaded_at
from source
