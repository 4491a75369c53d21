-- The catalogue of anomaly detectors, one row per detector, rendered from the meta.anomaly declaration of
-- the detector models (models/anomalies/detectors/_detectors__models.yml) plus the cash-risk model.
{%- set detectors = throughline.anomaly_declared_detectors() %}
{%- set text = dbt.type_string() %}
{%- if detectors %}
{%- for d in detectors %}
select
    cast('{{ d.detector_id }}' as {{ text }}) as detector_id,
    cast({{ throughline.string_literal(d.title) }} as {{ text }}) as detector_title,
    cast('{{ d.severity }}' as {{ text }}) as severity,
    cast('{{ d.owner }}' as {{ text }}) as owner,
    cast('{{ d.model_name }}' as {{ text }}) as model_name
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- else %}
select
    cast(null as {{ text }}) as detector_id, cast(null as {{ text }}) as detector_title,
    cast(null as {{ text }}) as severity, cast(null as {{ text }}) as owner, cast(null as {{ text }}) as model_name
where 1 = 0
{%- endif %}
