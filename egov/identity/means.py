"""The four means of signing in to the portal, in the words the citizen reads.

Whether a means can be used right now is configuration (egov/oidc.py), not text."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Means:
    key: str
    title: str
    summary: str
    how_to_obtain: tuple  # paragraphs


SIGN_IN_MEANS = (
    Means(
        key="eimza",
        title=_l("elektron imza"),
        summary=_l("Şəxsiyyət vəsiqəsindəki və ya ayrıca kartdakı (tokendəki) elektron "
                   "imza sertifikatı ilə daxil olun."),
        how_to_obtain=(
            _l("Elektron imza sertifikatı kart və ya USB-token üzərində verilir. Onu akkreditə "
               "olunmuş sertifikat xidmətləri mərkəzindən, şəxsiyyət vəsiqənizi təqdim etməklə "
               "ala bilərsiniz."),
            _l("Sertifikatla birlikdə PIN kod verilir. Daxil olarkən kompüterinizə kart oxuyucu "
               "və ya token qoşulmalıdır."),
        ),
    ),
    Means(
        key="egov",
        title=_l("e-gov identity"),
        summary=_l("Portalın öz şəxsiyyət hesabı və birdəfəlik kodla daxil olun."),
        how_to_obtain=(
            _l("e-gov identity hesabını portalda qeydiyyatdan keçməklə yaradırsınız: şəxsi "
               "məlumatlarınızı və FİN kodunuzu daxil edirsiniz, sonra ASAN xidmət mərkəzində "
               "və ya elektron imza ilə təsdiqləyirsiniz."),
            _l("Hər girişdə şifrədən əlavə telefonunuza gələn birdəfəlik kod soruşulur."),
        ),
    ),
    Means(
        key="asan",
        title=_l("asan imza"),
        summary=_l("Mobil telefonunuzdakı ASAN İmza SIM-kartı və PIN1 kodu ilə daxil olun."),
        how_to_obtain=(
            _l("ASAN İmza xüsusi SIM-kartda saxlanılan mobil imzadır. Onu ASAN xidmət "
               "mərkəzlərində və ya mobil operatorunuzun satış ofisində şəxsiyyət vəsiqənizlə "
               "sifariş edə bilərsiniz."),
            _l("SIM-kartla birlikdə ASAN İstifadəçi ID-si, PIN1 (giriş üçün) və PIN2 (imza "
               "üçün) kodları verilir. Daxil olarkən telefonunuzda yoxlama kodunu görüb PIN1 "
               "ilə təsdiqləyirsiniz."),
        ),
    ),
    Means(
        key="password",
        title=_l("istifadəçi adı və şifrə"),
        summary=_l("Portalda qeydiyyatdan keçərkən seçdiyiniz istifadəçi adı və şifrə ilə "
                   "daxil olun."),
        how_to_obtain=(
            _l("İstifadəçi adı və şifrəni portalda qeydiyyat zamanı özünüz seçirsiniz. "
               "Qeydiyyat FİN kodunuzla (şəxsiyyət vəsiqəsindəki 7 simvollu kod) aparılır."),
            _l("Şifrənizi unutmusunuzsa, onu elektron imza və ya ASAN İmza ilə daxil olub "
               "yeniləyə bilərsiniz. Şifrənizi heç kimə deməyin; ictimai kompüterdə işi "
               "bitirdikdən sonra «Çıxış» düyməsini basın."),
        ),
    ),
)

BY_KEY = {means.key: means for means in SIGN_IN_MEANS}
