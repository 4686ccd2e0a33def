package io.mamori.core.lure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.mamori.core.analysis.AnalysisInput;
import io.mamori.core.analysis.Finding;
import io.mamori.core.analysis.FindingCatalogue;
import io.mamori.core.message.Direction;
import io.mamori.core.message.Envelope;
import io.mamori.core.message.Fixtures;
import io.mamori.core.message.HeaderField;
import io.mamori.core.message.MimePart;
import io.mamori.core.message.ParsedMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class LureWordingAnalyzerTest {

    private static final Envelope ENVELOPE = new Envelope(Direction.INBOUND, "sender@example.net",
            List.of("keiri@example.co.jp"), "192.0.2.1", "mail.example.net", null, false,
            Instant.parse("2024-04-01T00:00:00Z"));

    private final LureWordingAnalyzer analyzer = new LureWordingAnalyzer();
    private final FindingCatalogue catalogue = FindingCatalogue.builtIn();

    private List<Finding> analyze(String fixture) {
        return analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse("lure/" + fixture)));
    }

    /** A plain-text message with this subject and text. */
    private List<Finding> analyzePlain(String subject, String text) {
        return analyzer.analyze(new AnalysisInput(ENVELOPE, plain(subject, text)));
    }

    /** Each {subject, text} mail stays below TAG and raises none of {@code codes}. */
    private void assertBelowTagWithout(List<String[]> mails, String... codes) {
        for (String[] mail : mails) {
            List<Finding> findings = analyzePlain(mail[0], mail[1]);
            assertThat(findings).as(mail[0]).extracting(Finding::code).doesNotContain(codes);
            assertThat(score(findings)).as(mail[0]).isLessThan(4.0);
        }
    }

    /** The findings of a plain mail, code and evidence, are exactly {@code expected}, in order. */
    private void assertLures(String subject, String text, org.assertj.core.groups.Tuple... expected) {
        assertThat(analyzePlain(subject, text)).extracting(Finding::code, Finding::evidence).containsExactly(expected);
    }

    private double score(List<Finding> findings) {
        return findings.stream().mapToDouble(f -> catalogue.weight(f.code()) * f.multiplier()).sum();
    }

    @Test
    void aSpamOfferWeighsByItsOwnPhrasesAndReachesTagWhenItRepeatsItsOffer() {
        // a casino mailing in German: bonus and free spins, said three ways (subject, body)
        List<Finding> casino = analyzePlain("Willkommensbonus bis zu 800 EUR + 200 Freispiele",
                "Jetzt im Online Casino anmelden: 200 Freispiele warten. Dazu ein Deposit Bonus von 100 %.");
        assertThat(casino).extracting(Finding::code, Finding::evidence).containsExactly(
                tuple("LURE_SPAM_OFFER", "online casino,deposit bonus,subject:freispiele"));
        assertThat(score(casino)).isEqualTo(4.0);
        // one phrase stays well below TAG
        assertLures("Gesundheit", "Potenzmittel ohne Rezept kaufen.", tuple("LURE_SPAM_OFFER", "potenzmittel,ohne rezept"));
        assertLures("本日限定", "オンラインカジノで遊ぼう", tuple("LURE_SPAM_OFFER", "オンラインカジノ"));
        assertThat(score(analyzePlain("本日限定", "オンラインカジノで遊ぼう"))).isEqualTo(2.0);
    }

    @Test
    void aSpamOfferCombinesWithNoLureAndWordsOtherMailUsesAreNoOffer() {
        // an appeal marked urgent that names Ukrainian women: the offer phrase does not make a lure combination
        List<Finding> appeal = analyzePlain("Urgent appeal", "Urgent: shelter for Ukrainian women and children.");
        assertThat(appeal).extracting(Finding::code).contains("LURE_URGENCY", "LURE_SPAM_OFFER")
                .doesNotContain("LURE_COMBINED");
        assertThat(score(appeal)).isLessThan(4.0);
        assertBelowTagWithout(List.of(
                new String[] {"Tennis club", "Mixed doubles and singles on Saturday; the casino night is in May."},
                new String[] {"Your loan application", "Your loan was approved; the bonus interest applies from June."},
                new String[] {"Meeting request", "Our CEO would like to meet you next week in Osaka."},
                new String[] {"薬局のお知らせ", "処方箋の受付時間が変わります。"}), "LURE_SPAM_OFFER");
    }

    @Test
    void japaneseSuspensionLureWithHalfWidthKanaAndABrokenLineMatchesEveryCategoryAndTheirCombination() {
        List<Finding> findings = analyze("account-suspension-ja.eml");
        assertThat(findings).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "subject:至急"),
                new Finding("LURE_ACCOUNT_SUSPENSION", 1.5, "subject:アカウント停止"),
                new Finding("LURE_CREDENTIAL", 1.0, "本人確認"),
                new Finding("LURE_COMBINED", 1.0, "urgency,suspension,credential"));
        assertThat(score(findings)).as("a combined lure reaches TAG on wording alone").isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void englishBankChangeInHtmlIsReadAsTextAcrossTagsAndCase() {
        assertThat(analyze("bank-change-en.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "urgent"),
                new Finding("LURE_PAYMENT", 1.5, "wire transfer,bank details changed"),
                new Finding("LURE_COMBINED", 0.5, "urgency,payment"));
    }

    @Test
    void deliveryPretextWithADeadlineCombinesTwoCategories() {
        assertThat(analyze("delivery-ja.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "24時間以内"),
                new Finding("LURE_DELIVERY", 2.0, "subject:不在通知,再配達,subject:荷物のお届け"),
                new Finding("LURE_COMBINED", 0.5, "urgency,delivery"));
    }

    @Test
    void aJapaneseInvoiceFromARealPartnerIsOneLowWeightFindingFarBelowTheTagThreshold() {
        List<Finding> findings = analyze("invoice-partner-ja.eml");
        assertThat(findings).containsExactly(new Finding("LURE_PAYMENT", 1.5, "支払い,subject:請求書"));
        assertThat(score(findings)).isLessThan(4.0).isEqualTo(1.5);
    }

    @Test
    void japaneseAccountSecurityAlertWithMfaAndPasswordExpiryIsThreeCategoriesWithTheSubjectCounted() {
        List<Finding> findings = analyze("mfa-signin-ja.eml");
        assertThat(findings).containsExactly(
                new Finding("LURE_URGENCY", 1.5, "24時間以内,ご確認いただけない場合"),
                new Finding("LURE_ACCOUNT_SUSPENSION", 2.0, "不審なサインイン,普段と異なる環境,セキュリティ上の理由により,一時的に制限"),
                new Finding("LURE_CREDENTIAL", 1.5, "パスワードの有効期限,ご本人様確認"),
                new Finding("LURE_COMBINED", 1.0, "urgency,suspension,credential"));
        assertThat(score(findings)).as("wording alone reaches TAG").isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void japaneseEtcTollLureIsUnpaidFeeWordingWithADeadline() {
        assertThat(analyze("etc-toll-ja.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "本日中"),
                new Finding("LURE_PAYMENT", 2.0, "支払い,subject:未払い,お支払い情報,お支払いが確認できない,subject:ETC利用照会,ETCサービス"),
                new Finding("LURE_COMBINED", 0.5, "urgency,payment"));
    }

    @Test
    void japanesePointsAboutToExpireAreAPrizeLureCountedMoreInTheSubjectButBelowTagAlone() {
        List<Finding> findings = analyze("points-expire-ja.eml");
        assertThat(findings).containsExactly(
                new Finding("LURE_PRIZE", 2.0, "subject:ポイント失効,subject:ポイントの有効期限,ギフトカード"));
        assertThat(score(findings)).isLessThan(4.0);
    }

    @Test
    void englishMailboxFullLureIsSuspensionCredentialAndUrgency() {
        assertThat(analyze("mailbox-full-en.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "within 24 hours"),
                new Finding("LURE_ACCOUNT_SUSPENSION", 2.0,
                        "subject:your mailbox is almost full,your mailbox has exceeded,exceeded its storage limit,pending incoming"),
                new Finding("LURE_CREDENTIAL", 1.0, "verify your mailbox"),
                new Finding("LURE_COMBINED", 1.0, "urgency,suspension,credential"));
    }

    @Test
    void aRenewalChargeWithANumberToCallIsACallbackLure() {
        assertThat(analyze("callback-en.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "within 24 hours"),
                new Finding("LURE_PAYMENT", 1.0, "has been renewed"),
                new Finding("LURE_CALLBACK", 1.5, "call our billing,did not authorize this"),
                new Finding("LURE_COMBINED", 1.0, "urgency,payment,callback"));
    }

    @Test
    void callbackWordingWithoutATelephoneNumberIsNotACallbackLure() {
        List<Finding> findings = analyzer.analyze(new AnalysisInput(ENVELOPE, plain("Receipt",
                "Your subscription has been renewed. If you did not authorize this charge, call our billing team"
                        + " from the number in your contract. Order 8841-2203.")));
        assertThat(findings).containsExactly(new Finding("LURE_PAYMENT", 1.0, "has been renewed"));
    }

    @Test
    void telephoneNumbersAreRecognisedButDatesTimesAndIdentifiersAreNot() {
        assertThat(LureWordingAnalyzer.hasPhoneNumber("call +1 (888) 555-0142 now")).isTrue();
        assertThat(LureWordingAnalyzer.hasPhoneNumber("tel 03-1234-5678")).isTrue();
        assertThat(LureWordingAnalyzer.hasPhoneNumber(LureText.fold("フリーダイヤル ０１２０-１２３-４５６７"))).isTrue();
        assertThat(LureWordingAnalyzer.hasPhoneNumber("1-888-555-0142.")).isTrue();
        assertThat(LureWordingAnalyzer.hasPhoneNumber("on 2024-04-01 12:00 jst")).isFalse();
        assertThat(LureWordingAnalyzer.hasPhoneNumber("order 8841-2203")).isFalse();
        assertThat(LureWordingAnalyzer.hasPhoneNumber("ref inv20240401123456")).isFalse();
        assertThat(LureWordingAnalyzer.hasPhoneNumber("tracking 1234567890123456789")).isFalse();
        assertThat(LureWordingAnalyzer.hasPhoneNumber("")).isFalse();
    }

    @Test
    void portugueseLureMatchesWithAndWithoutAccentsAndInCapitals() {
        assertThat(analyze("account-pt.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "nas próximas 24 horas"),
                new Finding("LURE_ACCOUNT_SUSPENSION", 2.0, "subject:sua conta foi bloqueada,atividade suspeita"),
                new Finding("LURE_CREDENTIAL", 1.5, "confirme seus dados,atualização cadastral"),
                new Finding("LURE_COMBINED", 1.0, "urgency,suspension,credential"));
    }

    @Test
    void spanishGermanAndFrenchLuresAreRecognised() {
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, plain("Aviso",
                "Su cuenta ha sido suspendida. Verifique su cuenta en las próximas 24 horas."))))
                .extracting(Finding::code, Finding::evidence).containsExactly(
                        org.assertj.core.api.Assertions.tuple("LURE_URGENCY", "en las próximas 24 horas"),
                        org.assertj.core.api.Assertions.tuple("LURE_ACCOUNT_SUSPENSION", "su cuenta ha sido suspendida"),
                        org.assertj.core.api.Assertions.tuple("LURE_CREDENTIAL", "verifique su cuenta"),
                        org.assertj.core.api.Assertions.tuple("LURE_COMBINED", "urgency,suspension,credential"));
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, plain("Sicherheitshinweis",
                "IHR KONTO WURDE GESPERRT. Bestätigen Sie Ihre Identität innerhalb von 24 Stunden."))))
                .extracting(Finding::evidence).containsExactly("innerhalb von 24 stunden", "ihr konto wurde gesperrt",
                        "bestätigen sie ihre identität", "urgency,suspension,credential");
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, plain("Livraison",
                "Votre colis est en attente : échec de livraison. Frais de douane à régler sous 48 heures."))))
                .extracting(Finding::evidence).containsExactly("sous 48 heures",
                        "votre colis,échec de livraison,frais de douane", "urgency,delivery");
    }

    @Test
    void rewardStorageSubscriptionAndExtortionLuresAreRecognisedInGermanSpanishFrenchAndPortuguese() {
        assertLures("Herzlichen Glückwunsch!", "Sie wurden ausgewählt: Ihre Belohnung wartet. Nehmen Sie"
                + " an unserer Umfrage teil, das Angebot läuft heute ab.",
                tuple("LURE_URGENCY", "läuft heute ab"),
                tuple("LURE_PRIZE", "subject:herzlichen glückwunsch,sie wurden ausgewählt,ihre belohnung wartet"),
                tuple("LURE_COMBINED", "urgency,prize"));
        assertLures("Aviso", "Su almacenamiento está lleno y sus fotos serán eliminadas. Actualiza tu"
                + " método de pago en las próximas 48 horas.",
                tuple("LURE_URGENCY", "en las próximas 48 horas"),
                tuple("LURE_ACCOUNT_SUSPENSION", "su almacenamiento está lleno,sus fotos serán eliminadas"),
                tuple("LURE_PAYMENT", "actualiza tu método de pago"),
                tuple("LURE_COMBINED", "urgency,suspension,payment"));
        assertLures("Sécurité", "Je connais votre mot de passe. J'ai enregistré une vidéo de vous ;"
                + " envoyez 500 € à cette adresse bitcoin.",
                tuple("LURE_EXTORTION", "je connais votre mot de passe,enregistré une vidéo de vous,adresse bitcoin"));
        assertLures("Parabéns", "Sua recompensa exclusiva está disponível: renda passiva e lucro garantido.",
                tuple("LURE_PRIZE", "recompensa exclusiva,subject:parabéns,sua recompensa,renda passiva,"
                        + "lucro garantido"));
    }

    @Test
    void dutchAndItalianLuresAreRecognised() {
        assertLures("Belangrijk", "Uw account is geblokkeerd wegens verdachte activiteit. Bevestig uw"
                + " gegevens binnen 24 uur.",
                tuple("LURE_URGENCY", "binnen 24 uur"),
                tuple("LURE_ACCOUNT_SUSPENSION", "uw account is geblokkeerd,verdachte activiteit"),
                tuple("LURE_CREDENTIAL", "bevestig uw gegevens"),
                tuple("LURE_COMBINED", "urgency,suspension,credential"));
        assertLures("Il tuo pacco", "Consegna non riuscita: il pacco è in giacenza. Paga i dazi doganali"
                + " entro 48 ore.",
                tuple("LURE_URGENCY", "entro 48 ore"),
                tuple("LURE_DELIVERY", "subject:il tuo pacco,consegna non riuscita,dazi doganali"),
                tuple("LURE_COMBINED", "urgency,delivery"));
        // an ordinary Dutch reminder with its amount due and a deadline: the amount is an everyday payment phrase
        assertBelowTagWithout(List.<String[]>of(new String[] {"Herinnering factuur", "Het openstaand bedrag van uw factuur"
                + " graag binnen 24 uur voldoen. Laatste herinnering."}), "LURE_COMBINED");
    }

    @Test
    void aGapInAPhraseStandsForOneToThreeWordsOfOneClauseAndNeverANegation() {
        // German puts the verb last, and an adverb sits inside the fixed phrase in every language
        assertThat(analyzePlain("Hinweis", "Sie haben ein neues iPhone gewonnen"))
                .containsExactly(new Finding("LURE_PRIZE", 1.0, "sie haben … gewonnen"));
        assertThat(analyzePlain("Hinweis", "Sie haben ein Apple iPhone 15 gewonnen")).as("four words").isEmpty();
        assertThat(analyzePlain("Notice", "You have been randomly selected"))
                .containsExactly(new Finding("LURE_PRIZE", 1.0, "you have been … selected"));
        // without words between, the phrase of its own matches, and the gap's does not count it twice
        assertThat(analyzePlain("Notice", "You have been selected"))
                .containsExactly(new Finding("LURE_PRIZE", 1.0, "you have been selected"));
        assertThat(analyzePlain("Hinweis", "Ihr Konto wurde nicht gesperrt. Ihr Konto wurde geprüft. Gesperrt wurde"
                + " nichts.")).as("a negation, and words of another sentence").isEmpty();
        assertThat(analyzePlain("Melding", "U heeft een cadeaubon gewonnen"))
                .containsExactly(new Finding("LURE_PRIZE", 1.0, "u heeft … gewonnen"));
        assertThat(analyzePlain("Melding", "U heeft niet gewonnen")).isEmpty();
    }

    @Test
    void phrasesWrittenInAsciiLookAlikesAreReadAsTheirWordsAndCountMore() {
        assertLures("Someone tried to Iog in to your account", "Review the activity.",
                tuple("LURE_ACCOUNT_SUSPENSION", "subject:someone tried to log in (disguised)"));
        // two phrases apart (×1.5), one or more of them disguised (half a phrase more)
        assertThat(analyzePlain("Security", "Your acc0unt will be suspended. Someone tried to Iog in.")).containsExactly(
                new Finding("LURE_ACCOUNT_SUSPENSION", 2.0,
                        "account will be suspended (disguised),someone tried to log in (disguised)"));
        // capitals, digits and the pronoun of ordinary text stay as they are
        assertThat(LureText.undisguise("If I log in at 10 In 2024, I1 and Item 0A", java.util.Set.of("log", "lf", "ln")))
                .isEqualTo("If I log in at 10 In 2024, I1 and Item 0A");
        assertThat(LureText.undisguise("WaIIet CouId acc0unt 1ogin", java.util.Set.of("wallet", "account", "login")))
                .isEqualTo("wallet CouId account login");
    }

    @Test
    void japanesePhrasesWrittenWithKanjiOrDashesThatLookLikeKatakanaAreReadAsTheirWordsAndCountMore() {
        assertLures("お知らせ", "ア力ウントが口ックされました。パスワ一ドを入力してください。",
                tuple("LURE_ACCOUNT_SUSPENSION", "ロックされ (disguised)"),
                tuple("LURE_CREDENTIAL", "パスワードを入力 (disguised)"),
                tuple("LURE_COMBINED", "suspension,credential"));
        assertLures("お知らせ", "パスワ\u2015ドを入力してください。", tuple("LURE_CREDENTIAL", "パスワードを入力 (disguised)"));
        assertLures("お知らせ", "パスワ-ドを入力してください。", tuple("LURE_CREDENTIAL", "パスワードを入力 (disguised)"));
    }

    @Test
    void japanesePhrasesWrittenWithKatakanaThatLookLikeKanjiAreReadAsTheirWordsAndCountMore() {
        assertLures("お知らせ", "パスワードを入カしてください。ロ座を凍結しました。",
                tuple("LURE_ACCOUNT_SUSPENSION", "口座を凍結 (disguised)"),
                tuple("LURE_CREDENTIAL", "パスワードを入力 (disguised)"),
                tuple("LURE_COMBINED", "suspension,credential"));
    }

    @Test
    void spacingVoicingMarksVoiceTheKanaBeforeThemAsOnScreen() {
        // ゛ and ゜ written after the kana (old input methods, half-width habits): on screen パスワード
        assertLures("お知らせ", "ハ\u309Cスワート\u309Bを入力してください。アカウントを一時停止しました。",
                tuple("LURE_ACCOUNT_SUSPENSION", "アカウントを一時停止"),
                tuple("LURE_CREDENTIAL", "パスワードを入力"),
                tuple("LURE_COMBINED", "suspension,credential"));
        // a mark standing alone voices nothing that makes a phrase
        assertLures("お知らせ", "記号 \u309B と \u309C の説明です。");
    }

    @Test
    void fullWidthAsciiLookAlikesAreReadLikeHalfWidthOnes() {
        assertThat(analyzePlain("Security", "Your ａｃｃ０ｕｎｔ will be suspended.")).containsExactly(
                new Finding("LURE_ACCOUNT_SUSPENSION", 1.5, "account will be suspended (disguised)"));
    }

    @Test
    void phrasesOverlappingInOneSentenceCountOnceAndPhrasesApartEach() {
        // one sentence, two phrases of the list: both are evidence, the category weighs as for one
        assertThat(analyzePlain("Hinweis", "Ihr Konto wurde vorübergehend gesperrt.")).containsExactly(
                new Finding("LURE_ACCOUNT_SUSPENSION", 1.0, "vorübergehend gesperrt,ihr konto wurde … gesperrt"));
        // the same two phrases in two sentences, and a third phrase apart
        assertThat(analyzePlain("Hinweis", "Ihr Konto wurde gesperrt. Der Zugang bleibt vorübergehend gesperrt."))
                .containsExactly(new Finding("LURE_ACCOUNT_SUSPENSION", 1.5, "ihr konto wurde gesperrt,vorübergehend gesperrt"));
    }

    @Test
    void aGapIsAWordOfItsOwnBetweenTwoWordsOfALatinPhrase() {
        LureWordingAnalyzer.checkGaps("sie haben * gewonnen", 1);
        for (String misplaced : List.of("* haben gewonnen", "sie haben *", "sie * * gewonnen", "sie haben* gewonnen",
                "あなた * 当選", "sie *")) {
            assertThatThrownBy(() -> LureWordingAnalyzer.checkGaps(misplaced, 7)).as(misplaced)
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("line 7");
        }
    }

    @Test
    void accountAndIdentityChecksAreCredentialLuresInEveryLanguageOfTheCompactSets() {
        // the themes of the English credential phrases (account information, identity that could not be verified,
        // reactivating the account, a wallet's recovery phrase), as kits word them in each language
        assertLures("Wichtig", "Bitte bestätigen Sie Ihre Kontoinformationen innerhalb von 24 Stunden.",
                tuple("LURE_URGENCY", "innerhalb von 24 stunden"),
                tuple("LURE_CREDENTIAL", "bestätigen sie ihre kontoinformationen"),
                tuple("LURE_COMBINED", "urgency,credential"));
        assertLures("Hinweis", "Bestätige deine Identität, damit dein Konto aktiv bleibt.",
                tuple("LURE_CREDENTIAL", "bestätige deine identität"));
        assertLures("Aviso", "No hemos podido verificar su identidad. Reactive su cuenta hoy.",
                tuple("LURE_CREDENTIAL", "no hemos podido verificar su,reactive su cuenta"));
        assertLures("Avis", "Nous n'avons pas pu vérifier votre compte : confirmez qu'il s'agit bien de vous.",
                tuple("LURE_CREDENTIAL", "nous n'avons pas pu vérifier votre,confirmez qu'il s'agit bien de vous"));
        assertLures("Aviso", "Não conseguimos verificar sua conta. Confirme suas informações.",
                tuple("LURE_CREDENTIAL", "confirme suas informações,não conseguimos verificar sua"));
        assertLures("Melding", "Voer uw herstelzin in om uw wallet te behouden.",
                tuple("LURE_CREDENTIAL", "herstelzin"));
        assertLures("Avviso", "Non siamo riusciti a verificare il tuo account: riattiva il tuo account.",
                tuple("LURE_CREDENTIAL", "riattiva il tuo account,non siamo riusciti a verificare il tuo"));
        // German in the familiar address, as streaming and app brands (and the kits copying them) write
        assertLures("Dein Konto", "Dein Konto wurde vorübergehend gesperrt. Deine Zahlung wurde leider abgelehnt.",
                tuple("LURE_ACCOUNT_SUSPENSION", "vorübergehend gesperrt,dein konto wurde … gesperrt"),
                tuple("LURE_PAYMENT", "deine zahlung wurde … abgelehnt"),
                tuple("LURE_COMBINED", "suspension,payment"));
        // a service's own notice that a payment failed is the payment category, not a credential check
        assertLures("Zahlung", "Aktualisiere deine Zahlungsinformationen im Konto.",
                tuple("LURE_PAYMENT", "aktualisiere deine zahlungsinformationen"));
    }

    @Test
    void everydayGermanSpanishAndFrenchMailIsNoLure() {
        // congratulations, a shop's shipping notice and an ordinary reminder: no category combines
        assertBelowTagWithout(List.of(
                new String[] {"Herzlichen Glückwunsch zum Geburtstag", "Liebe Anna, alles Gute zum Geburtstag!"},
                new String[] {"Ihre Bestellung wurde versandt", "Ihr Paket ist unterwegs und wird morgen zugestellt."
                        + " Die Sendungsnummer finden Sie in Ihrem Kundenkonto."},
                new String[] {"Felicidades por el nuevo proyecto", "Enhorabuena al equipo, la reunión es el lunes."},
                new String[] {"Rappel : réunion de lundi", "Votre colis de documents est arrivé à l'accueil."}),
                "LURE_COMBINED");
    }

    @Test
    void typographicApostrophesMatchPlainOnes() {
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, plain("Hello", "You\u2019ve won a prize!"))))
                .containsExactly(new Finding("LURE_PRIZE", 1.0, "you've won"));
    }

    @Test
    void theSubjectCountsMoreOnlyForInboundMailAndNotForUrgencyOrPayment() {
        ParsedMessage message = plain("Verify your identity: urgent invoice", "See attached.");
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, message))).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "subject:urgent"),
                new Finding("LURE_CREDENTIAL", 1.5, "subject:verify your identity"),
                new Finding("LURE_PAYMENT", 1.0, "subject:invoice"),
                // "invoice" is an everyday word: its category combines with no other
                new Finding("LURE_COMBINED", 0.5, "urgency,credential"));
        Envelope outbound = new Envelope(Direction.OUTBOUND, "keiri@example.co.jp", List.of("a@example.net"),
                "192.0.2.1", "mail.example.co.jp", null, true, Instant.parse("2024-04-01T00:00:00Z"));
        assertThat(analyzer.analyze(new AnalysisInput(outbound, message))).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "urgent"),
                new Finding("LURE_CREDENTIAL", 1.0, "verify your identity"),
                new Finding("LURE_PAYMENT", 1.0, "invoice"),
                new Finding("LURE_COMBINED", 0.5, "urgency,credential"));
    }

    @Test
    void aJapaneseInvoiceWhoseZipPasswordFollowsSeparatelyIsNoCredentialLure() {
        // the PPAP custom: the invoice in a password-protected zip, "the password follows", then the password mail
        String invoice = "お世話になっております。\n請求書を送付いたします。ご確認ください。\nパスワードは別途お送りします。";
        String passwordMail = "先ほどお送りした請求書のパスワードをお知らせします。\nパスワード：Seikyu-2025";
        for (String text : List.of(invoice, passwordMail)) {
            List<Finding> findings = analyzePlain("請求書の送付", text);
            assertThat(findings).as(text).extracting(Finding::code).containsExactly("LURE_PAYMENT");
            assertThat(score(findings)).isLessThan(4.0);
        }
    }

    @Test
    void aBrokerageAccountLureWithARestrictedAccountAndAnAccountCheckIsCombined() {
        List<Finding> findings = analyzePlain("【重要】お取引を制限しております",
                "お客様の証券口座への不正アクセスを検知しました。24時間以内に口座情報の確認をお願いいたします。");
        assertThat(findings).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "24時間以内"),
                new Finding("LURE_ACCOUNT_SUSPENSION", 2.0, "不正アクセス,subject:お取引を制限"),
                new Finding("LURE_CREDENTIAL", 1.0, "口座情報の確認"),
                new Finding("LURE_COMBINED", 1.0, "urgency,suspension,credential"));
        // a tax office's seizure notice and a benefit to collect are lures of their own categories
        assertThat(analyzePlain("差押予告通知", "未納の税金があるため、財産の差押を予告します。"))
                .extracting(Finding::code).containsExactly("LURE_PAYMENT");
        assertThat(analyzePlain("特別給付金のお知らせ", "給付金のお受け取り手続きはこちら。"))
                .extracting(Finding::code).containsExactly("LURE_PRIZE");
    }

    @Test
    void everydayJapaneseSignInWordsAreNoLure() {
        // a one-time code, an ISO certification and a seminar one signs up for on a member page: "ログイン" and
        // "認証" alone once made the seminar's deadline (至急) a combination, and so a TAG
        assertBelowTagWithout(List.of(
                new String[] {"認証コードのお知らせ", "ログイン認証コード：482913\nこのコードの有効期限は10分です。"},
                new String[] {"ISO認証取得のお知らせ", "弊社はこのたびISO27001の認証を取得いたしました。"},
                new String[] {"セミナーのご案内", "至急のご案内です。マイページにログインしてお申し込みください。"}),
                "LURE_CREDENTIAL", "LURE_COMBINED");
    }

    @Test
    void aServicesPasswordResetOrChangeNoticeIsNoCredentialLureButAskingToUpdateOneIs() {
        // a SaaS reset the reader asked for (valid 24 hours) was tagged on wording alone (24時間以内 + パスワードの再設定);
        // English never counted "reset your password" either
        assertBelowTagWithout(List.of(
                new String[] {"パスワード再設定のご案内", "パスワードの再設定が申請されました。以下のリンクから24時間以内に"
                        + "新しいパスワードを設定してください。このメールに心当たりがない場合は、破棄してください。"},
                new String[] {"パスワード変更完了のお知らせ", "パスワードの変更が完了しました。お心当たりがない場合は、"
                        + "至急サポートまでご連絡ください。"},
                new String[] {"Reset your password", "We received a request to reset your password. Use the link below"
                        + " within 24 hours to choose a new one."}),
                "LURE_CREDENTIAL", "LURE_COMBINED");
        List<Finding> phishing = analyzePlain("【重要】アカウント停止のお知らせ",
                "お客様のアカウントが停止されました。24時間以内にパスワードを更新してください。");
        assertThat(phishing).extracting(Finding::code).contains("LURE_ACCOUNT_SUSPENSION", "LURE_CREDENTIAL", "LURE_COMBINED");
        assertThat(score(phishing)).isGreaterThanOrEqualTo(4.0);
    }

    @Test
    void everydayJapaneseStatementsNewslettersAndNoticesMakeNoCombination() {
        // a card statement naming its member page, a shop's points-and-free-shipping newsletter, an urgent maintenance
        // notice: each was tagged on wording alone (カード情報 + 支払い, 配送料 + ギフトカード, 緊急 + アカウント情報); a
        // shop's shipping notice with its points (お荷物 + ポイントの有効期限) was a combination one sign short of TAG
        assertBelowTagWithout(List.of(
                new String[] {"ご利用代金のお知らせ", "今月のご利用代金が確定しました。お支払い日は27日です。カード情報の変更は会員サイトから行えます。"},
                new String[] {"【期間限定】ポイント最大10倍", "お持ちのポイントの有効期限が近づいています。今なら配送料無料！抽選でギフトカードが当たります。"},
                new String[] {"【緊急】メールサーバ緊急メンテナンス", "本日中に緊急メンテナンスを実施します。アカウント情報の変更は不要です。"},
                new String[] {"【発送完了】ご注文商品の発送のお知らせ", "ご注文の商品を発送いたしました。お荷物の到着予定日は12月3日です。"
                        + "今回のお買い物で付与されたポイントの有効期限は1年間です。"}),
                "LURE_COMBINED");
    }

    @Test
    void aMailingListDiscussionAboutPasswordPolicyIsOneCategoryBelowTag() {
        List<Finding> findings = analyze("list-password-en.eml");
        assertThat(findings).containsExactly(new Finding("LURE_ACCOUNT_SUSPENSION", 1.0, "unauthorized access"));
        assertThat(score(findings)).isLessThan(4.0);
    }

    @Test
    void aJapaneseMaintenanceNoticeThatStopsAServiceAndAsksToSignInAgainIsOneCategoryBelowTag() {
        List<Finding> findings = analyze("maintenance-ja.eml");
        assertThat(findings).containsExactly(new Finding("LURE_CREDENTIAL", 1.0, "再度ログイン"));
        assertThat(score(findings)).isLessThan(4.0);
    }

    @Test
    void aBounceForAFullMailboxAndASuspendedDeliveryRaisesNothing() {
        assertThat(analyze("bounce-en.eml")).isEmpty();
    }

    @Test
    void aNewsletterMentioningPasswordsStorageSharedFilesAndPackagesIsOneWeakFinding() {
        List<Finding> findings = analyze("newsletter-en.eml");
        assertThat(findings).containsExactly(new Finding("LURE_DOCUMENT_SHARE", 1.0, "shared with you"));
        assertThat(score(findings)).isLessThan(4.0);
    }

    private static ParsedMessage plain(String subject, String body) {
        return new ParsedMessage(List.of(new HeaderField("Subject", subject)),
                List.of(new MimePart("1", 0, "text/plain", "utf-8", null, false, body.length(), body)), List.of(), 0,
                body.length());
    }

    @Test
    void anUrgentInvoiceWithEverydayPaymentWordsIsNoCombination() {
        List<Finding> findings = analyzer.analyze(new AnalysisInput(ENVELOPE, plain("【至急】3月分請求書送付のご案内",
                "3月分の請求書をお送りします。お支払い期日は4月30日です。")));
        assertThat(findings).containsExactly(new Finding("LURE_URGENCY", 1.0, "subject:至急"),
                new Finding("LURE_PAYMENT", 1.5, "支払い,subject:請求書"));
        assertThat(score(findings)).isLessThan(4.0);
    }

    @Test
    void hiddenTextCuttingTheWordsAndInvisibleCharactersInsideThemDoNotHideTheLure() {
        // pass<span style="display:none">q7x</span>word, ver<span ...>kw</span>ify: read as the reader sees it
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse("evasion/hidden-salting-en.eml"))))
                .containsExactly(
                        new Finding("LURE_URGENCY", 1.0, "expires today"),
                        new Finding("LURE_CREDENTIAL", 1.0, "verify your account"),
                        new Finding("LURE_COMBINED", 0.5, "urgency,credential"));
        // "could not ver\u200Bify your": the folding drops the invisible characters
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse("evasion/invisible-chars-en.eml"))))
                .containsExactly(
                        new Finding("LURE_URGENCY", 1.0, "within 24 hours"),
                        new Finding("LURE_CREDENTIAL", 1.0, "could not verify your"),
                        new Finding("LURE_COMBINED", 0.5, "urgency,credential"));
    }

    @Test
    void aLureWrittenWithCyrillicLookAlikeLettersIsReadAsTheReaderReadsIt() {
        // "cоnfirm yоur password" with Cyrillic о: the phrase a filter matching words would not see
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, Fixtures.parse("evasion/homoglyphs-en.eml"))))
                .extracting(Finding::code).contains("LURE_CREDENTIAL");
        assertThat(LureText.fold("Vеrіfy yоur Wаllеt")).isEqualTo("verify your wallet");
    }

    @Test
    void hiddenWordsAreNotReadSoAHiddenLureIsNoLure() {
        String html = "<p>Thank you for your order.</p><div style='display:none'>urgent: verify your account</div>";
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("Subject", "Order")),
                List.of(new MimePart("1", 0, "text/html", "utf-8", null, false, html.length(), html)), List.of(), 0,
                html.length());
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, message))).isEmpty();
    }

    @Test
    void englishPhrasesMatchOnlyWholeWords() {
        assertThat(analyze("word-boundaries-en.eml")).isEmpty();
    }

    @Test
    void foldingMakesFullWidthHalfWidthAndKanaVariantsEqual() {
        assertThat(LureText.fold("ﾊﾟｽﾜｰﾄﾞ")).isEqualTo(LureText.fold("パスワード")).isEqualTo(LureText.fold("ぱすわーど"));
        assertThat(LureText.fold("ＵＲＧＥＮＴ\u200B now\n\n  please")).isEqualTo("urgent now please");
    }

    @Test
    void onlyTheFirstTwoHundredThousandCharactersAreScannedAndABigBodyIsQuick() {
        String big = "a".repeat(5_000_000) + " 至急 パスワード";
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("Subject", "hello")),
                List.of(new MimePart("1", 0, "text/plain", "utf-8", null, false, big.length(), big)), List.of(), 0,
                big.length());
        long start = System.nanoTime();
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, message))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void attachmentsAreNotReadAsWording() {
        String text = "至急 パスワード";
        ParsedMessage message = new ParsedMessage(List.of(),
                List.of(new MimePart("1", 0, "text/plain", "utf-8", "notes.txt", true, text.length(), text)), List.of(), 0,
                text.length());
        assertThat(analyzer.analyze(new AnalysisInput(ENVELOPE, message))).isEmpty();
    }

    @Test
    void everyDeclaredCodeIsInTheCatalogueWithAModestWeight() {
        assertThat(analyzer.name()).isEqualTo("lure-wording");
        assertThat(analyzer.codes()).containsExactly("LURE_URGENCY", "LURE_ACCOUNT_SUSPENSION", "LURE_CREDENTIAL",
                "LURE_PAYMENT", "LURE_DELIVERY", "LURE_PRIZE", "LURE_ADVANCE_FEE", "LURE_DOCUMENT_SHARE", "LURE_EXTORTION",
                "LURE_CALLBACK", "LURE_SPAM_OFFER", "LURE_COMBINED");
        for (String code : analyzer.codes()) {
            assertThat(catalogue.entry(code)).as(code).isPresent();
            assertThat(catalogue.weight(code)).as(code).isBetween(1.0, 3.0);
        }
    }

    private List<Finding> analyzeHtml(String html) {
        ParsedMessage message = new ParsedMessage(List.of(new HeaderField("Subject", "Notice")),
                List.of(new MimePart("1", 0, "text/html", "utf-8", null, false, html.length(), html)), List.of(), 0,
                html.length());
        return analyzer.analyze(new AnalysisInput(ENVELOPE, message));
    }

    @Test
    void theAltTextOfRemotePicturesIsReadWhereTheClientShowsItInsteadOfThePicture() {
        // most clients block remote pictures by default: the reader reads the alt text; a tracking pixel shows nothing
        assertThat(analyze("alt-text-en.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "within 24 hours"),
                new Finding("LURE_ACCOUNT_SUSPENSION", 1.0, "account has been suspended"),
                new Finding("LURE_CREDENTIAL", 1.0, "verify your account"),
                new Finding("LURE_COMBINED", 1.0, "urgency,suspension,credential"));
    }

    @Test
    void aNewslettersAltTextAndTheAltTextOfEmbeddedHiddenOrPixelPicturesRaiseNothing() {
        // logo, hero and social icons; an embedded (cid:) picture shows itself, not its alt text; a 1-pixel one nothing
        assertThat(analyze("alt-text-newsletter-en.eml")).isEmpty();
        assertThat(analyzeHtml("<p>Thanks for your order.</p><img src='data:image/png;base64,iVBORw0KGgo=' "
                + "alt='Your account has been suspended'><img style='display:none' src='https://x.example/a.png' "
                + "alt='Verify your account within 24 hours'>")).isEmpty();
    }

    @Test
    void wordsADirectionalOverrideTurnsAroundAreReadAsShownAndCountAsDisguised() {
        // "Your <U+202E>dednepsus neeb sah tnuocca<U+202C>" is shown as "Your account has been suspended"
        assertThat(analyze("bidi-override-en.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "within 24 hours"),
                new Finding("LURE_ACCOUNT_SUSPENSION", 1.5, "account has been suspended (disguised)"),
                new Finding("LURE_CREDENTIAL", 1.5, "verify your account (disguised)"),
                new Finding("LURE_COMBINED", 1.0, "urgency,suspension,credential"));
        assertLures("お知らせ", "お客様の\u202Eトンウカア\u202Cを停止しました。",
                tuple("LURE_ACCOUNT_SUSPENSION", "アカウントを停止 (disguised)"));
        // in HTML, by element or style
        assertThat(analyzeHtml("<p>Your <bdo dir=rtl>dednepsus neeb sah tnuocca</bdo>. Please <span style="
                + "'unicode-bidi:bidi-override;direction:rtl'>tnuocca ruoy yfirev</span>.</p>")).containsExactly(
                new Finding("LURE_ACCOUNT_SUSPENSION", 1.5, "account has been suspended (disguised)"),
                new Finding("LURE_CREDENTIAL", 1.5, "verify your account (disguised)"),
                new Finding("LURE_COMBINED", 0.5, "suspension,credential"));
    }

    @Test
    void reversedLettersWithoutAnOverrideAndRightToLeftTextWithOneAreNoLure() {
        // "drowssap" is shown as written; an override around a file name and a Hebrew signature turns no lure around
        assertThat(analyze("bidi-benign-en.eml")).isEmpty();
        assertThat(analyzePlain("Notice", "tnuocca ruoy yfirev won")).isEmpty();
    }

    @Test
    void aRubysBaseTextIsReadAsOneWordWithItsReadingsAfterIt() {
        // パ<rt>q</rt>ス<rt>z</rt>ワ…: the reader reads パスワード, with small letters above it
        assertThat(analyze("ruby-ja.eml")).containsExactly(
                new Finding("LURE_URGENCY", 1.0, "24時間以内"),
                new Finding("LURE_CREDENTIAL", 1.0, "パスワードの有効期限"),
                new Finding("LURE_COMBINED", 0.5, "urgency,credential"));
    }

    @Test
    void japaneseWithFuriganaIsNoLure() {
        assertThat(analyze("ruby-furigana-ja.eml")).isEmpty();
    }
}
