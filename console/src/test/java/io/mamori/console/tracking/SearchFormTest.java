package io.mamori.console.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mamori.core.store.MessageQuery;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** The message search's form: what a reader types becomes a store query, or a clear refusal (400), never a crash. */
class SearchFormTest {

    private static final ZoneId TOKYO = ZoneId.of("Asia/Tokyo");

    private static SearchForm dates(String from, String to) {
        return new SearchForm(null, null, null, null, null, null, null, from, to, null);
    }

    @Test
    void datesAreWholeDaysInTheOrganisationsZone() {
        MessageQuery q = dates("2026-11-01", "2026-11-30").toQuery(TOKYO, 0, 50);
        assertThat(q.from()).isEqualTo(Instant.parse("2026-10-31T15:00:00Z"));
        assertThat(q.to()).isEqualTo(Instant.parse("2026-11-30T15:00:00Z"));
    }

    @Test
    void aDateThatIsNotADayOrIsTheLastTheCalendarHoldsIsRefusedAsBadInput() {
        assertThatThrownBy(() -> dates("2026-13-01", null).toQuery(TOKYO, 0, 50))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("dates are YYYY-MM-DD");
        // parses, but the day after it does not exist
        assertThatThrownBy(() -> dates(null, "+999999999-12-31").toQuery(TOKYO, 0, 50))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("date out of range");
    }
}
