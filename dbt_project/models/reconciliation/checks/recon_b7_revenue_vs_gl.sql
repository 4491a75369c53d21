{#- B7: GL revenue not backed by PSA revenue. PSA revenue reaches the GL through revenue-recognition journals
    tagged with the PSA project; a journal line on an income account that names no resolvable PSA project,
    or a project with no PSA revenue (fct_revenue) in the journal's month, is revenue the PSA does not
    have, so GL and PSA revenue differ by exactly its amount. One break per journal whose unbacked revenue
    exceeds var('recon_b7_tolerance_amount'). Declared in _checks__models.yml. -#}
{%- set tolerance = var('recon_b7_tolerance_amount') %}

with psa_revenue as (
    select distinct project_key, revenue_month
    from {{ ref('fct_revenue') }}
),

revenue_lines as (
    select
        g.*,
        cast({{ dbt.date_trunc('month', 'g.transaction_date') }} as date) as journal_month,
        p.project_key as resolved_project_key
    from {{ ref('fct_gl_lines') }} as g
    left join {{ ref('dim_project') }} as p on g.project_key = p.project_key and not p.is_unknown
    where g.transaction_type = 'journal' and g.account_type = 'income' and g.is_posting
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
        -sum(l.amount_transaction) as unbacked_revenue,
        -sum(l.amount_reporting_spot) as unbacked_revenue_reporting
    from revenue_lines as l
    left join psa_revenue as r
        on l.resolved_project_key = r.project_key and l.journal_month = r.revenue_month
    where r.project_key is null
    group by l.transaction_id, l.transaction_number, l.erp_subsidiary_id, l.legal_entity_key,
        l.transaction_currency_code
)

select
    {{ throughline.recon_columns(
        check_id="'B7'",
        source_system="'netsuite'",
        source_object="'transaction'",
        record_key=throughline.recon_json([('id', 'u.transaction_id', 'number')]),
        related_keys=throughline.recon_json([
            ('tranid', 'u.transaction_number', 'string'),
            ('subsidiary', 'u.erp_subsidiary_id', 'number'),
            ('revenue_account', 'u.account_number', 'string')]),
        client_key='u.client_key',
        project_key='u.project_key',
        legal_entity_key='u.legal_entity_key',
        currency_code='u.transaction_currency_code',
        expected_amount='0',
        actual_amount='u.unbacked_revenue',
        difference_amount='u.unbacked_revenue',
        amount_at_risk='abs(u.unbacked_revenue)',
        amount_at_risk_reporting='abs(u.unbacked_revenue_reporting)',
        event_date='u.transaction_date',
    ) }}
from unbacked as u
where abs(u.unbacked_revenue) > {{ tolerance }}
