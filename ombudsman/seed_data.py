"""Reference data (register, routing rules, checklist) and the Kupang demo case, from DOMAIN.md."""

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

# code, theme, keywords, responsibility, level, named authority, second level, second authority, reason, basis
ROUTING_RULES = [
    (
        "blanko_tidak_diumumkan",
        "Kekurangan blanko tidak diumumkan",
        "blanko habis tidak diumumkan,kekurangan blanko tidak diumumkan,stok blanko tidak diumumkan",
        "shared",
        "regency_city",
        None,
        "central",
        DITJEN,
        "Penyebabnya di pusat (blanko), tetapi kewajiban mengumumkan stok dan menjadwalkan pencetakan "
        "ada pada Dinas.",
        "PP 37/2007 Ps 3 huruf f; UU 25/2009 Ps 15 huruf b",
    ),
    (
        "pimpinan_dinas",
        "Penyegaran pimpinan Dinas Dukcapil",
        "penyegaran pimpinan,kepala dinas,pergantian pimpinan,pimpinan dinas",
        "shared",
        "regency_city",
        None,
        "central",
        DITJEN,
        "Wali Kota/Bupati mengusulkan calon Kepala Dinas Dukcapil; Menteri Dalam Negeri yang menetapkan.",
        "UU 24/2013 Ps 83A",
    ),
    (
        "blanko",
        "Stok atau alokasi blanko KTP-el",
        "blanko,blangko,alokasi kartu,stok kartu",
        "central",
        "central",
        DITJEN,
        None,
        None,
        "Pencetakan, penerbitan dan distribusi blangko dokumen kependudukan adalah kewenangan "
        "Menteri Dalam Negeri.",
        "PP 37/2007 Ps 3 huruf f",
    ),
    (
        "siak",
        "SIAK, server, jaringan, database nasional",
        "siak,server,jaringan,database,pusat data,data center,sistem offline",
        "central",
        "central",
        DITJEN,
        None,
        None,
        "Sistem informasi dan data kependudukan berskala nasional dikelola oleh penyelenggara pusat.",
        "PP 37/2007 Ps 3 huruf b dan e",
    ),
    (
        "nik_nonaktif",
        "Penonaktifan NIK",
        "nik nonaktif,nik tidak aktif,penonaktifan nik,deaktivasi nik",
        "central",
        "central",
        DITJEN,
        None,
        None,
        "Penonaktifan NIK dilakukan oleh Kementerian Dalam Negeri.",
        "PP 37/2007 Ps 3 huruf e",
    ),
    (
        "verifikasi_pusat",
        "Verifikasi/validasi data tertahan di Kementerian",
        "verifikasi di kementerian,validasi di kementerian,verifikasi pusat,data masih di kementerian",
        "central",
        "central",
        DITJEN,
        None,
        None,
        "Verifikasi dan validasi data yang tertahan di pusat hanya dapat diselesaikan oleh Ditjen Dukcapil.",
        "PP 37/2007 Ps 3 huruf e",
    ),
    (
        "perangkat_pusat",
        "Perangkat rusak milik pusat (belum dihibahkan)",
        "perangkat rusak,alat rusak,mesin rusak,printer rusak,perekaman rusak,server rusak",
        "central",
        "central",
        DITJEN,
        None,
        None,
        "Perangkat perekaman/pencetakan milik Ditjen Dukcapil yang belum dihibahkan tidak dapat diperbaiki "
        "oleh pemerintah daerah; Dinas wajib melaporkannya.",
        "PP 37/2007 Ps 3",
    ),
    (
        "antrean",
        "Antrean dan nomor antrean",
        "antrean,antrian,nomor antre,kuota harian",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Penataan antrean adalah bagian dari pengelolaan pelayanan oleh pemerintah daerah.",
        "UU 25/2009 Ps 15",
    ),
    (
        "loket",
        "Loket pelayanan",
        "loket,counter",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Sarana pelayanan disediakan oleh penyelenggara di daerah.",
        "UU 25/2009 Ps 15 huruf d",
    ),
    (
        "jam_pelayanan",
        "Jam pelayanan",
        "jam pelayanan,jam buka,jam layanan",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Jam pelayanan ditetapkan dan dipatuhi oleh penyelenggara di daerah.",
        "UU 25/2009 Ps 21",
    ),
    (
        "sarana",
        "Ruang tunggu, toilet, parkir dan sarana lain",
        "ruang tunggu,kursi,toilet,parkir,ventilasi,pendingin ruangan,sarana",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Sarana, prasarana dan fasilitas pelayanan adalah kewajiban penyelenggara.",
        "UU 25/2009 Ps 15 huruf d",
    ),
    (
        "fasilitas_rentan",
        "Fasilitas bagi penyandang disabilitas, lansia dan ibu hamil",
        "disabilitas,lansia,ibu hamil,kursi roda,ramp,loket prioritas,loket khusus",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Pelayanan khusus bagi kelompok rentan wajib disediakan penyelenggara.",
        "UU 25/2009 Ps 29",
    ),
    (
        "standar_pelayanan",
        "Standar pelayanan dan maklumat",
        "standar pelayanan,maklumat,alur pelayanan,persyaratan,biaya,tarif",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Penyelenggara wajib menyusun, menetapkan dan memublikasikan standar dan maklumat pelayanan.",
        "UU 25/2009 Ps 15 huruf a dan b",
    ),
    (
        "informasi_pengambilan",
        "Informasi waktu pengambilan dokumen",
        "siap ambil,waktu pengambilan,jadwal pengambilan,sudah dicetak,pengumuman",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Informasi kepada pengguna tentang kapan dokumen dapat diambil adalah kewajiban Dinas.",
        "UU 25/2009 Ps 15",
    ),
    (
        "pengumuman_blanko",
        "Pengumuman stok blanko",
        "papan stok blanko,pengumuman stok blanko",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Mengumumkan stok blanko yang tersedia kepada masyarakat adalah kewajiban Dinas.",
        "UU 25/2009 Ps 15",
    ),
    (
        "pengaduan",
        "Kanal pengaduan / call centre",
        "pengaduan,call center,call centre,telepon pengaduan,kotak saran,lapor",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Penyelenggara wajib menyediakan sarana pengaduan dan menugaskan pelaksana yang kompeten.",
        "UU 25/2009 Ps 36",
    ),
    (
        "petugas",
        "Jumlah, kompetensi dan tanda pengenal petugas",
        "petugas,asn,pegawai,staf,kompeten,tanda pengenal",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Penempatan pelaksana yang kompeten dan cukup jumlahnya adalah kewajiban penyelenggara.",
        "UU 25/2009 Ps 15 huruf c",
    ),
    (
        "pungli_calo",
        "Pungutan liar dan calo",
        "pungli,pungutan,calo,imbalan,uang pelicin",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Pelaksana di daerah bertanggung jawab; pertimbangkan rujukan ke APIP atau aparat penegak hukum.",
        "UU 25/2009 Ps 17",
    ),
    (
        "sop_pengambilan",
        "SOP pengambilan dokumen",
        "dprd,dititipkan,dibagikan,penyerahan ktp,sop pengambilan",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Penyerahan dokumen kepada pemilik sesuai SOP adalah tanggung jawab Dinas.",
        "UU 25/2009 Ps 15 huruf f",
    ),
    (
        "skm",
        "Survei kepuasan masyarakat",
        "survei kepuasan,skm",
        "local",
        "regency_city",
        None,
        None,
        None,
        "Penyelenggara wajib mengevaluasi kinerja pelayanan, antara lain lewat survei kepuasan masyarakat.",
        "UU 25/2009 Ps 10",
    ),
]

CHECKLIST_CODE = "adminduk"
CHECKLIST_NAME = "Standar pelayanan administrasi kependudukan (UU 25/2009)"
# code, group, label, basis, routing rule code
CHECKLIST_ITEMS = [
    (
        "sp_persyaratan",
        "Standar pelayanan dipampang",
        "Persyaratan",
        "UU 25/2009 Ps 15a, 21",
        "standar_pelayanan",
    ),
    ("sp_prosedur", "Standar pelayanan dipampang", "Alur/prosedur", "UU 25/2009 Ps 21", "standar_pelayanan"),
    (
        "sp_waktu",
        "Standar pelayanan dipampang",
        "Jangka waktu penyelesaian",
        "UU 25/2009 Ps 21",
        "standar_pelayanan",
    ),
    (
        "sp_biaya",
        "Standar pelayanan dipampang",
        "Biaya/tarif (gratis)",
        "UU 25/2009 Ps 21",
        "standar_pelayanan",
    ),
    ("sp_produk", "Standar pelayanan dipampang", "Produk pelayanan", "UU 25/2009 Ps 21", "standar_pelayanan"),
    ("sp_pengaduan", "Standar pelayanan dipampang", "Penanganan pengaduan", "UU 25/2009 Ps 21", "pengaduan"),
    (
        "maklumat",
        "Maklumat pelayanan",
        "Dipublikasikan, ditandatangani pimpinan, substansi sesuai",
        "UU 25/2009 Ps 15b, 22",
        "standar_pelayanan",
    ),
    ("info_jam", "Informasi", "Jam pelayanan diumumkan", "UU 25/2009 Ps 21", "jam_pelayanan"),
    (
        "info_pengambilan",
        "Informasi",
        "Informasi waktu pengambilan dokumen / daftar siap ambil",
        "Ombudsman NTT 2018",
        "informasi_pengambilan",
    ),
    ("info_blanko", "Informasi", "Pengumuman stok blanko", "Ombudsman NTT 2018", "pengumuman_blanko"),
    ("antrean_nomor", "Antrean", "Nomor antrean tersedia", "Sidak Kupang 2018", "antrean"),
    (
        "antrean_tertib",
        "Antrean",
        "Sistem antrean tertib; kuota harian diumumkan",
        "Sidak TTS 2018",
        "antrean",
    ),
    ("loket_jelas", "Loket", "Loket jelas dan cukup", "UU 25/2009 Ps 15d", "loket"),
    (
        "loket_khusus",
        "Loket",
        "Loket/layanan khusus (disabilitas, lansia, ibu hamil)",
        "UU 25/2009 Ps 29",
        "fasilitas_rentan",
    ),
    (
        "ruang_tunggu",
        "Sarana",
        "Ruang tunggu memadai (kursi, luas, ventilasi)",
        "UU 25/2009 Ps 15d",
        "sarana",
    ),
    ("toilet_parkir", "Sarana", "Toilet dan parkir", "UU 25/2009 Ps 15d", "sarana"),
    (
        "fasilitas_disabilitas",
        "Sarana",
        "Fasilitas disabilitas (ramp, kursi roda, toilet khusus)",
        "UU 25/2009 Ps 29",
        "fasilitas_rentan",
    ),
    (
        "pengaduan_sarana",
        "Pengaduan",
        "Sarana pengaduan aktif (kotak, telepon/WA/call centre, SP4N-LAPOR!)",
        "UU 25/2009 Ps 36",
        "pengaduan",
    ),
    (
        "pengaduan_petugas",
        "Pengaduan",
        "Petugas pengaduan ada; nama dan kontak pengelola diumumkan",
        "UU 25/2009 Ps 36",
        "pengaduan",
    ),
    ("petugas_atribut", "Petugas", "Tanda pengenal/atribut petugas", "UU 25/2009 Ps 15c", "petugas"),
    (
        "petugas_kompetensi",
        "Petugas",
        "Jumlah dan kompetensi petugas memadai",
        "UU 25/2009 Ps 15c",
        "petugas",
    ),
    ("integritas_calo", "Integritas", "Tidak ada calo atau pungutan liar", "UU 25/2009 Ps 17", "pungli_calo"),
    (
        "integritas_penyerahan",
        "Integritas",
        "Produk diserahkan kepada pemilik/kuasa sesuai SOP",
        "Sidak Kupang 2018",
        "sop_pengambilan",
    ),
    ("manajemen_sop", "Manajemen", "SOP tersedia", "UU 25/2009 Ps 21", "standar_pelayanan"),
    ("manajemen_skm", "Manajemen", "Survei kepuasan masyarakat dilakukan", "Ombudsman NTT 2018", "skm"),
    ("pusat_blanko", "Bergantung pada pusat", "Stok blanko tersedia", "PP 37/2007 Ps 3f", "blanko"),
    (
        "pusat_perangkat",
        "Bergantung pada pusat",
        "Perangkat rekam/cetak berfungsi",
        "PP 37/2007 Ps 3",
        "perangkat_pusat",
    ),
    ("pusat_jaringan", "Bergantung pada pusat", "Jaringan SIAK berfungsi", "PP 37/2007 Ps 3e", "siak"),
]

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
