{#- E1: customer invoice whose header total differs from the sum of its lines (net lines + tax lines) by
    more than the rounding tolerance (var recon_e1_rounding_per_line per line, at least one line). -#}
with invoices as (
    select * from {{ ref('int_erp_documents_resolved') }}
    where transaction_type = 'invoice' and not is_voided
),

lines as (
    select
        transaction_id,
        sum(coalesce(amount_transaction, 0)) as lines_total,
        count(*) as line_count
    from {{ throughline.erp_input('transaction_lines') }}
    where not coalesce(is_main_line, false)
    group by transaction_id
),

compared as (
    select
        i.*,
        coalesce(l.lines_total, 0) as lines_total,
        coalesce(i.total_amount, 0) - coalesce(l.lines_total, 0) as difference,
        {{ var('recon_e1_rounding_per_line') }} * (case when coalesce(l.line_count, 0) > 1 then l.line_count else 1 end)
            as tolerance
    from invoices as i
    left join lines as l on i.transaction_id = l.transaction_id
)

select
    {{ throughline.recon_columns(
        check_id="'E1'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'transaction_id', 'number')]),
        related_keys=throughline.recon_json([('tranid', 'transaction_number', 'string')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='transaction_currency_code', expected_amount='lines_total', actual_amount='total_amount',
        difference_amount='difference', amount_at_risk='abs(difference)',
        amount_at_risk_reporting='abs(difference) * transaction_rate_to_reporting', event_date='transaction_date'
    ) }}
from compared
where abs(difference) > tolerance
