-- The catalogue of reconciliation checks, one row per check, rendered from the meta.recon declaration of the
-- check family models (models/reconciliation/checks/_checks__models.yml): the same declaration that
-- generates docs/reconciliation.md.
{%- set checks = throughline.recon_declared_checks() %}
{%- set text = dbt.type_string() %}
{%- if checks %}
{%- for c in checks %}
select
    cast('{{ c.check_id }}' as {{ text }}) as check_id,
    cast('{{ c.check_family }}' as {{ text }}) as check_family,
    cast('{{ c.section }}' as {{ text }}) as check_section,
    cast({{ throughline.string_literal(c.title) }} as {{ text }}) as check_title,
    cast('{{ c.severity }}' as {{ text }}) as severity,
    cast('{{ c.owner }}' as {{ text }}) as owner,
    cast('{{ c.source_system }}' as {{ text }}) as source_system,
    cast('{{ c.source_object }}' as {{ text }}) as source_object,
    cast('{{ c.model_name }}' as {{ text }}) as model_name,
    cast('{{ var("recon_definition_version") }}' as {{ text }}) as definition_version
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- else %}
select
    cast(null as {{ text }}) as check_id, cast(null as {{ text }}) as check_family,
    cast(null as {{ text }}) as check_section, cast(null as {{ text }}) as check_title,
    cast(null as {{ text }}) as severity, cast(null as {{ text }}) as owner,
    cast(null as {{ text }}) as source_system, cast(null as {{ text }}) as source_object,
    cast(null as {{ text }}) as model_name, cast(null as {{ text }}) as definition_version
where 1 = 0
{%- endif %}
