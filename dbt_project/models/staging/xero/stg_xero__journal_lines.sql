-- Xero GL journal lines with their journal's date and source (real ledger, tag xero): typed, nothing else.
select
    lines.journal_line_id,
    lines.journal_id,
    cast(journals.journal_date as date) as journal_date,
    journals.source_type,
    journals.source_id,
    lines.account_id,
    lines.account_code,
    lines.account_name,
    lines.account_type,
    cast(coalesce(nullif(lines.net_amount, ''), '0') as {{ throughline.amount_type() }}) as net_amount
from {{ source('xero', 'journal_line') }} as lines
left join {{ source('xero', 'journal') }} as journals on journals.journal_id = lines.journal_id
