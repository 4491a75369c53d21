-- What in a QuickBooks sync does not join: one row per record and foreign key whose target is missing, so a
-- real export (Fivetran's samples, a partial sync) reports its orphans instead of dropping them. Empty links
-- are not orphans (an invoice line of a discount has no item). A key joins within its company (source_relation).
{%- set links = [
    ('invoice', 'stg_quickbooks__invoices', 'invoice_id', 'customer_id', 'stg_quickbooks__customers', 'customer_id'),
    ('invoice_line', 'stg_quickbooks__invoice_lines', 'invoice_line_id', 'invoice_id', 'stg_quickbooks__invoices', 'invoice_id'),
    ('invoice_line', 'stg_quickbooks__invoice_lines', 'invoice_line_id', 'item_id', 'stg_quickbooks__items', 'item_id'),
    ('invoice_line', 'stg_quickbooks__invoice_lines', 'invoice_line_id', 'account_id', 'stg_quickbooks__accounts', 'account_id'),
    ('credit_memo', 'stg_quickbooks__credit_memos', 'credit_memo_id', 'customer_id', 'stg_quickbooks__customers', 'customer_id'),
    ('credit_memo_line', 'stg_quickbooks__credit_memo_lines', 'credit_memo_line_id', 'credit_memo_id', 'stg_quickbooks__credit_memos', 'credit_memo_id'),
    ('payment', 'stg_quickbooks__payments', 'payment_id', 'customer_id', 'stg_quickbooks__customers', 'customer_id'),
    ('payment_line', 'stg_quickbooks__payment_lines', 'payment_line_id', 'payment_id', 'stg_quickbooks__payments', 'payment_id'),
    ('payment_line', 'stg_quickbooks__payment_lines', 'payment_line_id', 'invoice_id', 'stg_quickbooks__invoices', 'invoice_id'),
    ('journal_entry_line', 'stg_quickbooks__journal_entry_lines', 'journal_entry_line_id', 'journal_entry_id', 'stg_quickbooks__journal_entries', 'journal_entry_id'),
    ('journal_entry_line', 'stg_quickbooks__journal_entry_lines', 'journal_entry_line_id', 'account_id', 'stg_quickbooks__accounts', 'account_id'),
] %}

{% for entity, model, key, fk, target, target_key in links %}
select
    r.source_relation,
    '{{ entity }}' as entity,
    r.{{ key }} as record_id,
    '{{ fk }}' as link,
    r.{{ fk }} as missing_id,
    r._source_file,
    r._source_row
from {{ ref(model) }} as r
left join {{ ref(target) }} as t on t.source_relation = r.source_relation and t.{{ target_key }} = r.{{ fk }}
where r.{{ fk }} is not null and t.{{ target_key }} is null
{% if not loop.last %}union all{% endif %}
{% endfor %}
