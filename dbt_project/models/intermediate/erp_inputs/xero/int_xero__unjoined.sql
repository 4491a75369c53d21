-- What in a Xero sync does not join: one row per record and foreign key whose target is missing (contacts,
-- invoices, accounts, journals), so a real export (Fivetran's seeds, a partial sync) reports its orphans
-- instead of dropping them; empty links are not orphans (a bank journal line may have no account code). Also
-- one row per contact that no invoice, credit note or bank transaction names (link 'referenced_by_document',
-- no missing id): in the export, but with nothing to reconcile.
{%- set links = [
    ('invoice', 'stg_xero__invoices', 'invoice_id', 'contact_id', 'stg_xero__contacts', 'contact_id'),
    ('invoice_line', 'stg_xero__invoice_lines', 'line_item_id', 'invoice_id', 'stg_xero__invoices', 'invoice_id'),
    ('invoice_line', 'stg_xero__invoice_lines', 'line_item_id', 'account_code', 'stg_xero__accounts', 'account_code'),
    ('credit_note', 'stg_xero__credit_notes', 'credit_note_id', 'contact_id', 'stg_xero__contacts', 'contact_id'),
    ('bank_transaction', 'stg_xero__bank_transactions', 'bank_transaction_id', 'contact_id', 'stg_xero__contacts', 'contact_id'),
    ('journal_line', 'stg_xero__journal_lines', 'journal_line_id', 'journal_id', 'stg_xero__journals', 'journal_id'),
    ('journal_line', 'stg_xero__journal_lines', 'journal_line_id', 'account_id', 'stg_xero__accounts', 'account_id'),
] %}

{% for entity, model, key, fk, target, target_key in links %}
select
    '{{ entity }}' as entity,
    r.{{ key }} as record_id,
    '{{ fk }}' as link,
    r.{{ fk }} as missing_id,
    r._source_file,
    r._source_row
from {{ ref(model) }} as r
left join {{ ref(target) }} as t on t.{{ target_key }} = r.{{ fk }}
where r.{{ fk }} is not null and t.{{ target_key }} is null

union all
{% endfor %}

select
    'contact' as entity,
    c.contact_id as record_id,
    'referenced_by_document' as link,
    cast(null as {{ dbt.type_string() }}) as missing_id,
    c._source_file,
    c._source_row
from {{ ref('stg_xero__contacts') }} as c
where c.contact_id not in (
    select contact_id from {{ ref('stg_xero__invoices') }} where contact_id is not null
    union
    select contact_id from {{ ref('stg_xero__credit_notes') }} where contact_id is not null
    union
    select contact_id from {{ ref('stg_xero__bank_transactions') }} where contact_id is not null
)
