-- B6: not implemented yet (declared in _checks__models.yml).
{{ throughline.recon_no_breaks() }}
