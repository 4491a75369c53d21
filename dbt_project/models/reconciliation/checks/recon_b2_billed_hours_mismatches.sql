{#- B2: per project x role x service month, the hours on the invoice lines billing approved T&M time differ
    from the approved hours of the time entries linked to those invoices by more than
    var('recon_b2_hours_tolerance'). Declared in _checks__models.yml. -#}
{%- set tolerance = var('recon_b2_hours_tolerance') %}
{%- set reporting = "'" ~ var('reporting_currency') ~ "'" %}

with groups as (
    select
        g.*,
        g.invoiced_hours - g.approved_hours as hours_difference,
        {# value of the hour difference at the group's contract rate (the invoiced average when no time) #}
        (g.invoiced_hours - g.approved_hours) * coalesce(
            g.approved_value / nullif(g.approved_hours, 0),
            g.invoiced_amount / nullif(g.invoiced_hours, 0), 0) as value_difference,
        cast({{ dbt.last_day('g.period_start', 'month') }} as date) as period_end
    from {{ ref('int_time_billing_groups_compared') }} as g
    where abs(g.invoiced_hours - g.approved_hours) > {{ tolerance }}
),

breaks as (
    select
        g.*,
        p.client_key,
        p.project_key,
        p.legal_entity_key,
        coalesce(g.currency_code, p.currency_code) as currency
    from groups as g
    left join {{ ref('dim_project') }} as p on g.project_id = p.project_key
)

select
    {{ throughline.recon_columns(
        check_id="'B2'",
        source_system="'psa'",
        source_object="'time_entries'",
        record_key=throughline.recon_json([
            ('project_id', 'b.project_id', 'number'),
            ('role_id', 'b.role_id', 'number'),
            ('period_start', 'b.period_start', 'string')]),
        related_keys=throughline.recon_json([
            ('approved_hours', 'b.approved_hours', 'number'),
            ('invoiced_hours', 'b.invoiced_hours', 'number'),
            ('time_entries', 'b.time_entry_count', 'number'),
            ('invoice_lines', 'b.invoice_line_count', 'number'),
            ('first_invoice_id', 'b.first_invoice_id', 'number')]),
        client_key='b.client_key',
        project_key='b.project_key',
        legal_entity_key='b.legal_entity_key',
        currency_code='b.currency',
        expected_amount='b.approved_value',
        actual_amount='b.approved_value + b.value_difference',
        difference_amount='b.value_difference',
        amount_at_risk='abs(b.value_difference)',
        amount_at_risk_reporting='abs(b.value_difference) * ' ~ throughline.fx_rate('fx', 'b.currency', reporting),
        event_date='b.period_end',
    ) }}
from breaks as b
{{ throughline.join_spot_rate('fx', 'b.currency', reporting, 'b.period_end') }}
