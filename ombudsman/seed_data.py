"""The register's authorities, deadline rules and the Kupang demo case, from DOMAIN.md.

The routing rules and the checklist are in `reference_data`."""

from __future__ import annotations

from datetime import date

KEMENDAGRI = "Kementerian Dalam Negeri"
DITJEN = "Direktorat Jenderal Kependudukan dan Pencatatan Sipil"
PEMPROV_NTT = "Pemerintah Provinsi Nusa Tenggara Timur"
PEMKOT_KUPANG = "Pemerintah Kota Kupang"
DINAS_KUPANG = "Dinas Kependudukan dan Pencatatan Sipil Kota Kupang"

# name, short name, level, head title, place line, address, parent
AUTHORITIES = [
    (
        KEMENDAGRI,
        "Kemendagri",
        "central",
        "Menteri Dalam Negeri",
        "di Jakarta",
        "Jl. Medan Merdeka Utara No. 7, Jakarta Pusat",
        None,
    ),
    (
        DITJEN,
        "Ditjen Dukcapil",
        "central",
        "Direktur Jenderal Kependudukan dan Pencatatan Sipil",
        "di Jakarta",
        "Jl. Raya Pasar Minggu KM 19, Jakarta Selatan",
        KEMENDAGRI,
    ),
    (
        PEMPROV_NTT,
        "Pemprov NTT",
        "provincial",
        "Gubernur Nusa Tenggara Timur",
        "di Kupang",
        "Jl. El Tari No. 52, Kupang",
        None,
    ),
    (
        PEMKOT_KUPANG,
        "Pemkot Kupang",
        "regency_city",
        "Wali Kota Kupang",
        "di Kupang",
        "Jl. S.K. Lerik, Kelapa Lima, Kota Kupang",
        None,
    ),
    (
        DINAS_KUPANG,
        "Dispendukcapil Kota Kupang",
        "regency_city",
        "Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
        "di Kupang",
        "Kota Kupang",
        PEMKOT_KUPANG,
    ),
]
# Central bodies the routing rules name; the rest of the register is the office's own business.
REFERENCE_AUTHORITIES = {KEMENDAGRI, DITJEN}

OFFICE = {
    "name": "Ombudsman Republik Indonesia Perwakilan Provinsi Nusa Tenggara Timur",
    "short_name": "Ombudsman RI Perwakilan NTT",
    "province": "Nusa Tenggara Timur",
    "city": "Kupang",
    "address": "Jl. Veteran, Kelapa Lima, Kota Kupang",
    "head_name": "Darius Beda Daton",
    "head_title": "Kepala Perwakilan",
    "timezone": "Asia/Makassar",
}
# The office's letter settings (the rest keeps the defaults). The office's real number format is an open
# question (DOMAIN.md): these codes are placeholders the admin replaces on /settings/letters.
LETTER_SETTINGS = {
    "classification": "ORI",
    "unit_code": "PW-NTT",
    "header": "OMBUDSMAN REPUBLIK INDONESIA\nPERWAKILAN PROVINSI NUSA TENGGARA TIMUR",
    "signatory_title": "Kepala Perwakilan Ombudsman Republik Indonesia Provinsi Nusa Tenggara Timur",
}
# The office's working-day calendar (the deadlines package's settings): Saturday and Sunday off, cuti
# bersama are days off, "due soon" five working days ahead.
OFFICE_CALENDAR = {"weekend": (5, 6), "cuti_bersama_is_working": False, "due_soon_working_days": 5}

# e-mail, name, role (the password is "demo" for all: demo data only)
DEMO_USERS = [
    ("inspector@demo.test", "Maria Inspektur", "inspector"),
    ("supervisor@demo.test", "Yohanes Supervisor", "supervisor"),
    ("head@demo.test", "Darius Beda Daton", "head"),
    ("admin@demo.test", "Admin Perwakilan", "admin"),
    ("viewer@demo.test", "Pembaca Demo", "viewer"),
]

INSPECTION_CLIENT_ID = "00000000-2018-0730-0000-000000kupang"
INSPECTION = {
    "title": "Sidak pelayanan KTP-el di Dispendukcapil Kota Kupang",
    "kind": "sidak",
    "visited_on": date(2018, 7, 30),
    "start": "09:00",
    "end": "11:30",
    "place": "Kantor Dinas Kependudukan dan Pencatatan Sipil Kota Kupang",
    "trigger": "Pengaduan masyarakat tentang lambat dan semrawutnya pelayanan KTP-el.",
    "summary": (
        "Inspeksi mendadak oleh Kepala Perwakilan bersama tim. Sekitar 300 pengunjung per hari dilayani di "
        "loket yang terbatas, tanpa nomor antrean; KTP-el yang sudah jadi dititipkan kepada anggota DPRD. "
        "Hasilnya disampaikan lisan kepada Wali Kota Kupang, disusul surat resmi."
    ),
    "visitors_per_day": 300,
    "queue_system": "Tidak ada nomor antrean",
}

# number, title, description, rule code, forms, severity, legal basis
FINDINGS = [
    (
        1,
        "Jumlah loket pelayanan tidak memadai",
        "Loket pelayanan terlalu sedikit untuk sekitar 300 pengunjung per hari; "
        "suasana loket \u201cseperti pasar\u201d.",
        "loket",
        ["penundaan_berlarut"],
        "high",
        "UU 25/2009 Ps 15 huruf d",
    ),
    (
        2,
        "Tidak ada sistem nomor antrean",
        "Pengunjung berdesakan tanpa nomor antrean.",
        "antrean",
        ["tidak_patut"],
        "medium",
        "UU 25/2009 Ps 15",
    ),
    (
        3,
        "Kursi ruang tunggu tidak memadai",
        "Sekitar 300 pengunjung per hari memerlukan sekitar 300 kursi; yang tersedia jauh lebih sedikit.",
        "sarana",
        ["pengabaian_kewajiban_hukum"],
        "medium",
        "UU 25/2009 Ps 15 huruf d",
    ),
    (
        4,
        "Jumlah ASN di loket KTP-el kurang",
        "Petugas ASN yang melayani di loket KTP-el terlalu sedikit.",
        "petugas",
        ["penundaan_berlarut"],
        "medium",
        "UU 25/2009 Ps 15 huruf c",
    ),
    (
        5,
        "Tidak ada pengumuman KTP-el yang sudah dicetak dan waktu pengambilannya",
        "Warga tidak diberi tahu secara resmi bahwa KTP-el mereka sudah dicetak, maupun kapan dapat diambil.",
        "informasi_pengambilan",
        ["penundaan_berlarut", "tidak_patut"],
        "medium",
        "UU 25/2009 Ps 15",
    ),
    (
        6,
        "KTP-el yang sudah jadi dititipkan kepada anggota DPRD Kota Kupang",
        "KTP-el diserahkan kepada anggota DPRD menurut daerah pemilihan untuk dibagikan, tanpa memberi tahu "
        "pemiliknya; tidak sesuai SOP pengambilan.",
        "sop_pengambilan",
        ["penyimpangan_prosedur", "berpihak"],
        "high",
        "UU 25/2009 Ps 15 huruf f",
    ),
    (
        7,
        "Tidak ada telepon pengaduan/call centre di loket",
        "Tidak tersedia nomor pengaduan di loket pelayanan.",
        "pengaduan",
        ["pengabaian_kewajiban_hukum"],
        "medium",
        "UU 25/2009 Ps 36",
    ),
    (
        8,
        "Server dan perangkat perekaman rusak",
        "Server dan perangkat perekaman KTP-el rusak; perangkat tersebut milik pusat dan belum dihibahkan.",
        "perangkat_pusat",
        ["penundaan_berlarut"],
        "high",
        "PP 37/2007 Ps 3",
    ),
    (
        9,
        "Stok blanko KTP-el habis",
        "Blanko KTP-el tidak tersedia sehingga KTP-el tidak dapat dicetak.",
        "blanko",
        ["penundaan_berlarut"],
        "high",
        "PP 37/2007 Ps 3 huruf f",
    ),
    (
        10,
        "Perlu penyegaran pimpinan Dinas Dukcapil Kota Kupang",
        "Kota mengusulkan tiga calon Kepala Dinas; pusat yang memutuskan.",
        "pimpinan_dinas",
        ["tidak_kompeten"],
        "medium",
        "UU 24/2013 Ps 83A",
    ),
]

# client id suffix, addressee, finding numbers, text
RECOMMENDATIONS = [
    (
        "01",
        PEMKOT_KUPANG,
        [1, 4],
        "Menambah jumlah loket pelayanan dan petugas ASN pada pelayanan KTP-el sesuai "
        "jumlah pengunjung harian.",
    ),
    (
        "02",
        PEMKOT_KUPANG,
        [2],
        "Menerapkan sistem nomor antrean yang tertib dengan kuota harian yang diumumkan.",
    ),
    (
        "03",
        PEMKOT_KUPANG,
        [3],
        "Menyediakan kursi ruang tunggu yang memadai bagi sekitar 300 pengunjung per hari.",
    ),
    (
        "04",
        PEMKOT_KUPANG,
        [5],
        "Mengumumkan secara resmi daftar KTP-el yang sudah dicetak beserta jadwal pengambilannya.",
    ),
    (
        "05",
        PEMKOT_KUPANG,
        [6],
        "Menghentikan penitipan KTP-el kepada anggota DPRD dan menyerahkan KTP-el langsung "
        "kepada pemiliknya sesuai SOP pengambilan.",
    ),
    (
        "06",
        PEMKOT_KUPANG,
        [7],
        "Menyediakan telepon pengaduan/call centre yang aktif di loket pelayanan dan "
        "mengumumkan nama petugas pengaduan.",
    ),
    (
        "07",
        PEMKOT_KUPANG,
        [10],
        "Melakukan penyegaran pimpinan Dinas Kependudukan dan Pencatatan Sipil Kota Kupang "
        "dengan mengusulkan tiga calon kepada Menteri Dalam Negeri.",
    ),
    (
        "08",
        DITJEN,
        [8],
        "Memperbaiki atau mengganti server dan perangkat perekaman KTP-el pada Dinas Kependudukan "
        "dan Pencatatan Sipil Kota Kupang yang merupakan aset pusat.",
    ),
    (
        "09",
        DITJEN,
        [9],
        "Menambah alokasi dan mempercepat pengiriman blanko KTP-el ke Dinas Kependudukan dan "
        "Pencatatan Sipil Kota Kupang.",
    ),
    (
        "10",
        DITJEN,
        [10],
        "Segera menetapkan Kepala Dinas Kependudukan dan Pencatatan Sipil Kota Kupang dari calon "
        "yang diusulkan Wali Kota Kupang.",
    ),
]

# Deadline rules (DOMAIN.md, "Deadlines"); valid_from/valid_to None means without limit on that side.
DEADLINE_RULES = [
    {
        "kind": "saran",
        "count": 30,
        "unit": "working",
        "starts": "on_receipt",
        "legal_basis": "Praktik kantor perwakilan; dapat diubah",
        "note": "Saran perbaikan setelah inspeksi mendadak.",
        "valid_from": None,
        "valid_to": None,
    },
    {
        "kind": "tindakan_korektif",
        "count": 30,
        "unit": "working",
        "starts": "on_receipt",
        "legal_basis": "Peraturan Ombudsman 58/2023 Ps 54",
        "note": "Sejak LHP diterima; praktik sebelum 2023 juga sekitar 30 hari.",
        "valid_from": None,
        "valid_to": None,
    },
    {
        "kind": "rekomendasi",
        "count": 60,
        "unit": "calendar",
        "starts": "on_receipt",
        "legal_basis": "UU 37/2008 Ps 38 ayat (2)",
        "note": "Atasan terlapor melaporkan pelaksanaan dalam 60 hari; Ombudsman memantau selama "
        "60 hari kerja (Peraturan Ombudsman 26/2017).",
        "valid_from": None,
        "valid_to": None,
    },
]
