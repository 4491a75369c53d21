{#- E4 and E5: transactions that move a control account (ar, deferred_revenue) without a subledger document
    behind it (int_erp_control_postings_classified), net of their own lines by more than var(tolerance_var). -#}
{% macro recon_unbacked_control_postings(check_id, control_account, tolerance_var) %}
with postings as (
    select * from {{ ref('int_erp_control_postings_classified') }}
    where control_account = '{{ control_account }}' and not is_subledger_backed
),

by_transaction as (
    select
        transaction_id,
        transaction_number,
        transaction_type,
        transaction_date,
        legal_entity_key,
        client_key,
        project_key,
        entity_currency_code,
        entity_rate_to_reporting,
        min(account_number) as account_number,
        sum(amount_entity) as amount_entity
    from postings
    group by transaction_id, transaction_number, transaction_type, transaction_date, legal_entity_key, client_key,
        project_key, entity_currency_code, entity_rate_to_reporting
)

select
    {{ throughline.recon_columns(
        check_id="'" ~ check_id ~ "'", source_system="'netsuite'", source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'transaction_id', 'number')]),
        related_keys=throughline.recon_json([('tranid', 'transaction_number', 'string'),
            ('type', 'transaction_type', 'string'), ('account', 'account_number', 'string')]),
        client_key='client_key', project_key='project_key', legal_entity_key='legal_entity_key',
        currency_code='entity_currency_code', expected_amount='0', actual_amount='amount_entity',
        difference_amount='amount_entity', amount_at_risk='abs(amount_entity)',
        amount_at_risk_reporting='abs(amount_entity) * entity_rate_to_reporting', event_date='transaction_date'
    ) }}
from by_transaction
where abs(amount_entity) > {{ var(tolerance_var) }}
{% endmacro %}
