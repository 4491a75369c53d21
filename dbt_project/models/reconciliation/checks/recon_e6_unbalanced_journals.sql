{#- E6: a posting transaction whose accounting lines (per accounting book) do not sum to zero in the
    entity's functional currency: debits differ from credits by more than var recon_e6_tolerance. -#}
with lines as (
    select
        transaction_id,
        accounting_book_id,
        sum(coalesce(amount_functional, coalesce(debit_amount, 0) - coalesce(credit_amount, 0))) as net_amount,
        sum(coalesce(debit_amount, 0)) as debits,
        sum(coalesce(credit_amount, 0)) as credits
    from {{ throughline.erp_input('transaction_accounting_lines') }}
    where coalesce(is_posting, true)
    group by transaction_id, accounting_book_id
),

unbalanced as (
    select
        l.*,
        d.transaction_number,
        d.transaction_type,
        d.transaction_date,
        d.client_key,
        d.project_key,
        d.legal_entity_key,
        d.entity_currency_code,
        d.entity_rate_to_reporting,
        row_number() over (partition by l.transaction_id order by l.accounting_book_id) as rn
    from lines as l
    inner join {{ ref('int_erp_documents_resolved') }} as d on l.transaction_id = d.transaction_id
    where abs(l.net_amount) > {{ var('recon_e6_tolerance') }}
)

select
    {{ throughline.recon_columns(
        check_id="'E6'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'transaction_id', 'number')]),
        related_keys=throughline.recon_json([('tranid', 'transaction_number', 'string'),
            ('type', 'transaction_type', 'string'), ('accounting_book', 'accounting_book_id', 'number')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='entity_currency_code', expected_amount='credits', actual_amount='debits',
        difference_amount='net_amount', amount_at_risk='abs(net_amount)',
        amount_at_risk_reporting='abs(net_amount) * entity_rate_to_reporting', event_date='transaction_date'
    ) }}
from unbalanced
where rn = 1
