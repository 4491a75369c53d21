{#- B3: per project x role x service month, an invoice line bills approved T&M time at a unit rate below the
    contract rates of that time: no approved time entry of the group carries a bill rate within
    var('recon_b3_rate_tolerance') of the line's rate, and the rate is below the group's highest contract rate.
    Declared in _checks__models.yml. -#}
{%- set reporting = "'" ~ var('reporting_currency') ~ "'" %}

with breaks as (
    select
        g.*,
        cast({{ dbt.last_day('g.period_start', 'month') }} as date) as period_end,
        p.client_key,
        p.project_key,
        p.legal_entity_key,
        coalesce(g.currency_code, p.currency_code) as currency
    from {{ ref('int_time_billing_groups_compared') }} as g
    left join {{ ref('dim_project') }} as p on g.project_id = p.project_key
    where g.below_rate_line_count > 0
)

select
    {{ throughline.recon_columns(
        check_id="'B3'",
        source_system="'psa'",
        source_object="'time_entries'",
        record_key=throughline.recon_json([
            ('project_id', 'b.project_id', 'number'),
            ('role_id', 'b.role_id', 'number'),
            ('period_start', 'b.period_start', 'string')]),
        related_keys=throughline.recon_json([
            ('contract_rate', 'b.max_contract_rate', 'number'),
            ('invoiced_rate', 'b.lowest_below_rate', 'number'),
            ('hours_below_rate', 'b.below_rate_hours', 'number'),
            ('invoice_lines_below_rate', 'b.below_rate_line_count', 'number'),
            ('first_invoice_id', 'b.first_invoice_id', 'number')]),
        client_key='b.client_key',
        project_key='b.project_key',
        legal_entity_key='b.legal_entity_key',
        currency_code='b.currency',
        expected_amount='b.below_rate_hours * b.max_contract_rate',
        actual_amount='b.below_rate_hours * b.max_contract_rate - b.below_rate_shortfall',
        difference_amount='-b.below_rate_shortfall',
        amount_at_risk='b.below_rate_shortfall',
        amount_at_risk_reporting='b.below_rate_shortfall * ' ~ throughline.fx_rate('fx', 'b.currency', reporting),
        event_date='b.period_end',
    ) }}
from breaks as b
{{ throughline.join_spot_rate('fx', 'b.currency', reporting, 'b.period_end') }}
