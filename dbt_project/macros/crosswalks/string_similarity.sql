{#- String similarity in [0, 1] for fuzzy name matching (crosswalk v1 uses Jaro-Winkler). Models only call
    throughline.string_similarity; add an <adapter>__ variant to port the project. -#}
{% macro string_similarity(a, b) -%}
    {{ return(adapter.dispatch('string_similarity', 'throughline')(a, b)) }}
{%- endmacro %}

{% macro duckdb__string_similarity(a, b) -%}
    jaro_winkler_similarity({{ a }}, {{ b }})
{%- endmacro %}

{% macro default__string_similarity(a, b) -%}
    {{ exceptions.raise_compiler_error(
        "throughline.string_similarity has no implementation for adapter '" ~ adapter.type() ~ "': add a "
        ~ adapter.type() ~ "__string_similarity macro (Jaro-Winkler in [0, 1]) in "
        ~ "dbt_project/macros/crosswalks/string_similarity.sql") }}
{%- endmacro %}

{#- Spark has no Jaro-Winkler: the same algorithm as DuckDB's jaro_winkler_similarity (rapidfuzz: match
    window max(len)/2 - 1, half the transpositions rounded down, prefix of at most 4 weighted 0.1 and
    applied only above a Jaro of 0.7; 0 when either string is empty) in higher-order array functions.
    aggregate() over a one-element array binds the inputs once (s.a, s.b); the inner aggregate walks the
    characters of a, flagging the first unflagged equal character of b inside the window. -#}
{% macro spark__string_similarity(a, b) -%}
    {%- set la = 'length(s.a)' -%}
    {%- set lb = 'length(s.b)' -%}
    {%- set w = 'greatest(0, cast(floor(greatest(' ~ la ~ ', ' ~ lb ~ ') / 2) as int) - 1)' -%}
    {%- set j -%}
        array_position(transform(sequence(1, {{ lb }}), k -> k >= i - {{ w }} and k <= i + {{ w }}
            and not element_at(st.m2, k) and substr(s.b, k, 1) = substr(s.a, i, 1)), true)
    {%- endset -%}
    {%- set c2 = 'filter(transform(sequence(1, ' ~ lb ~ '), k -> if(element_at(st.m2, k), substr(s.b, k, 1), null)), x -> x is not null)' -%}
    {%- set m = 'size(st.c1)' -%}
    {%- set t = 'floor(size(filter(sequence(1, ' ~ m ~ '), k -> element_at(st.c1, k) != element_at(' ~ c2 ~ ', k))) / 2)' -%}
    {%- set prefix -%}
        coalesce(nullif(array_position(transform(sequence(1, least(4, {{ la }}, {{ lb }})),
            k -> substr(s.a, k, 1) != substr(s.b, k, 1)), true), 0) - 1, least(4, {{ la }}, {{ lb }}))
    {%- endset -%}
    case when {{ a }} is null or {{ b }} is null then cast(null as double) else
    aggregate(array(named_struct('a', cast({{ a }} as string), 'b', cast({{ b }} as string))), cast(0 as double),
        (z, s) -> case when {{ la }} = 0 or {{ lb }} = 0 then cast(0 as double) else
        aggregate(array(
            aggregate(sequence(1, {{ la }}),
                named_struct('m2', array_repeat(false, {{ lb }}), 'c1', cast(array() as array<string>)),
                (st, i) -> named_struct(
                    'm2', transform(st.m2, (x, k) -> x or k + 1 = {{ j }}),
                    'c1', if({{ j }} > 0, concat(st.c1, array(substr(s.a, i, 1))), st.c1)),
                st -> case when {{ m }} = 0 then cast(0 as double) else
                    ({{ m }} / {{ la }} + {{ m }} / {{ lb }} + ({{ m }} - {{ t }}) / {{ m }}) / 3 end)),
            cast(0 as double), (y, jr) -> jr,
            jr -> if(jr > 0.7, jr + {{ prefix }} * 0.1 * (1 - jr), jr)) end)
    end
{%- endmacro %}
