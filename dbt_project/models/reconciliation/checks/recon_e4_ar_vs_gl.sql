{#- E4: a transaction that moves the AR control account without a subledger document behind it
    (int_erp_control_postings_classified), net of its own lines by more than var recon_e4_tolerance:
    the GL AR control balance no longer equals the aged AR subledger from that date on. -#}
{{ throughline.recon_unbacked_control_postings('E4', 'ar', 'recon_e4_tolerance') }}
