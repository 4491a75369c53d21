{#- B8: GL unbilled receivable (contract asset) not backed by a contract balance. Each contract's unbilled
    balance is cumulative revenue less net billings (fct_contract_balances), posted through revenue accruals
    and invoices tagged with the PSA project; a journal line on an unbilled-receivable account that names no
    resolvable PSA project, or a project with no contract balance, sits in the GL balance but in no contract,
    so the entity's Σ contract balances and the GL differ by exactly its amount. One break per journal whose
    unbacked amount exceeds var('recon_b8_tolerance_amount'). Declared in _checks__models.yml. -#}
{%- set tolerance = var('recon_b8_tolerance_amount') %}

with contracts as (
    select distinct project_key
    from {{ ref('fct_contract_balances') }}
),

unbilled_lines as (
    select g.*, p.project_key as resolved_project_key
    from {{ ref('fct_gl_lines') }} as g
    left join {{ ref('dim_project') }} as p on g.project_key = p.project_key and not p.is_unknown
    where g.transaction_type = 'journal' and g.account_type = 'unbilled_receivable' and g.is_posting
),

unbacked as (
    select
        l.transaction_id,
        l.transaction_number,
        l.erp_subsidiary_id,
        l.legal_entity_key,
        l.transaction_currency_code,
        min(l.transaction_date) as transaction_date,
        min(l.account_number) as account_number,
        min(l.resolved_project_key) as project_key,
        min(l.client_key) as client_key,
        sum(l.amount_transaction) as unbacked_amount,
        sum(l.amount_reporting_spot) as unbacked_amount_reporting
    from unbilled_lines as l
    left join contracts as c on l.resolved_project_key = c.project_key
    where c.project_key is null
    group by l.transaction_id, l.transaction_number, l.erp_subsidiary_id, l.legal_entity_key,
        l.transaction_currency_code
)

select
    {{ throughline.recon_columns(
        check_id="'B8'",
        source_system="'netsuite'",
        source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'u.transaction_id', 'number')]),
        related_keys=throughline.recon_json([
            ('tranid', 'u.transaction_number', 'string'),
            ('subsidiary', 'u.erp_subsidiary_id', 'number'),
            ('unbilled_account', 'u.account_number', 'string')]),
        client_key='u.client_key',
        project_key='u.project_key',
        legal_entity_key='u.legal_entity_key',
        currency_code='u.transaction_currency_code',
        expected_amount='0',
        actual_amount='u.unbacked_amount',
        difference_amount='u.unbacked_amount',
        amount_at_risk='abs(u.unbacked_amount)',
        amount_at_risk_reporting='abs(u.unbacked_amount_reporting)',
        event_date='u.transaction_date',
    ) }}
from unbacked as u
where abs(u.unbacked_amount) > {{ tolerance }}
