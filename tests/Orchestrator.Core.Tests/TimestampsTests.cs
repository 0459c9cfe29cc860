using Orchestrator.Core.Items;

namespace Orchestrator.Core.Tests;

public class TimestampsTests
{
    [Fact]
    public void Format_writes_UTC_with_seven_fraction_digits()
    {
        var t = new DateTimeOffset(2026, 3, 1, 14, 5, 6, TimeSpan.FromHours(2)).AddTicks(1234567);

        Assert.Equal("2026-03-01T12:05:06.1234567Z", Timestamps.Format(t));
    }

    [Theory]
    [InlineData("2026-01-02T03:04:05.123456789Z", "2026-01-02T03:04:05.1234567Z")]
    [InlineData("2026-01-02T03:04:05.123456789+02:00", "2026-01-02T01:04:05.1234567Z")]
    [InlineData("2026-01-02T03:04:05.999999999-07:00", "2026-01-02T10:04:05.9999999Z")]
    [InlineData("2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.1000000Z")]
    [InlineData("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.0000000Z")]
    [InlineData("2026-01-02T03:04:05.1234567Z", "2026-01-02T03:04:05.1234567Z")]
    [InlineData("2026-01-02", "2026-01-02T00:00:00.0000000Z")]
    public void Go_style_timestamps_parse(string text, string expectedUtc)
    {
        Assert.True(Timestamps.TryParse(text, out var t));
        Assert.Equal(expectedUtc, Timestamps.Format(t));
    }

    [Fact]
    public void A_formatted_time_parses_back_to_the_same_instant()
    {
        var t = new DateTimeOffset(2026, 7, 8, 9, 10, 11, TimeSpan.Zero).AddTicks(42);

        Assert.True(Timestamps.TryParse(Timestamps.Format(t), out var back));
        Assert.Equal(t, back);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("yesterday")]
    [InlineData("2026-13-40")]
    public void Text_that_is_not_a_time_does_not_parse(string? text)
    {
        Assert.False(Timestamps.TryParse(text, out _));
    }

    [Fact]
    public void Compare_orders_instants_across_offsets()
    {
        // 10:00+02:00 is 08:00Z, earlier than 09:00Z although it sorts later as text.
        Assert.True(Timestamps.Compare("2026-01-01T10:00:00+02:00", "2026-01-01T09:00:00Z") < 0);
        Assert.True(Timestamps.Compare("2026-01-01T09:00:00Z", "2026-01-01T10:00:00+02:00") > 0);
        Assert.Equal(0, Timestamps.Compare("2026-01-01T10:00:00.000000000+02:00", "2026-01-01T08:00:00Z"));
    }

    [Fact]
    public void Compare_sees_nanosecond_stamps_down_to_a_tenth_of_a_microsecond()
    {
        Assert.True(Timestamps.Compare("2026-01-01T00:00:00.000000100Z", "2026-01-01T00:00:00.000000200Z") < 0);
        Assert.Equal(0, Timestamps.Compare("2026-01-01T00:00:00.000000101Z", "2026-01-01T00:00:00.000000109Z"));
    }

    [Fact]
    public void Compare_puts_missing_and_unparsable_times_first()
    {
        Assert.True(Timestamps.Compare(null, "2026-01-01T00:00:00Z") < 0);
        Assert.True(Timestamps.Compare("2026-01-01T00:00:00Z", "garbage") > 0);
        Assert.True(Timestamps.Compare("garbage", "2000-01-01") < 0);
        Assert.True(Timestamps.Compare(null, "garbage") < 0);
        Assert.Equal(0, Timestamps.Compare(null, null));
    }
}
