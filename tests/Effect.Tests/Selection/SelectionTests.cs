using Deid.Effect.Selection;

namespace Deid.Effect.Tests.Selection;

public sealed class SelectionTests
{
    [Fact]
    public void By_default_everyone_and_every_unknown_face_is_anonymized()
    {
        var selection = AnonymizationSelection.Everyone;
        Assert.True(selection.IsAnonymized(3, 10));
        Assert.True(selection.IsAnonymized(null, 0));
    }

    [Fact]
    public void Kept_identities_stay_visible_and_only_they()
    {
        var selection = AnonymizationSelection.Keep([2, 5]);
        Assert.False(selection.IsAnonymized(2, 0));
        Assert.False(selection.IsAnonymized(5, 99));
        Assert.True(selection.IsAnonymized(3, 1));
        Assert.True(selection.IsAnonymized(null, 1));
    }

    [Fact]
    public void Step_keys_switch_exactly_at_their_time_and_the_first_key_holds_before_it()
    {
        var selection = new AnonymizationSelection(AnonymizationPolicy.AnonymizeEveryone,
            new Dictionary<int, IReadOnlyList<SelectionKey>> { [2] = [new(12.5, true), new(2.0, false), new(20, false)] });
        Assert.False(selection.IsAnonymized(2, 0));
        Assert.False(selection.IsAnonymized(2, 12.4999));
        Assert.True(selection.IsAnonymized(2, 12.5));
        Assert.True(selection.IsAnonymized(2, 19.99));
        Assert.False(selection.IsAnonymized(2, 20));
    }

    [Fact]
    public void Only_listed_policy_keeps_everyone_else_including_unknown_faces()
    {
        var selection = SelectionDocument.Parse("""{ "default": "anonymize-only-listed", "identities": [ { "identity": 4, "anonymize": true } ] }""", 25);
        Assert.True(selection.IsAnonymized(4, 3));
        Assert.False(selection.IsAnonymized(1, 3));
        Assert.False(selection.IsAnonymized(null, 3));
    }

    [Fact]
    public void Frame_keys_take_effect_at_that_frame()
    {
        const double fps = 30000.0 / 1001;
        var selection = SelectionDocument.Parse("""{ "identities": [ { "identity": 1, "keys": [ { "t": 0, "anonymize": false }, { "frame": 375, "anonymize": true } ] } ] }""", fps);
        double TimeOf(int frame) => frame * 1001.0 / 30000;
        Assert.False(selection.IsAnonymized(1, TimeOf(374)));
        Assert.True(selection.IsAnonymized(1, TimeOf(375)));
    }

    [Fact]
    public void Second_keys_take_effect_at_the_first_frame_at_or_after_them()
    {
        const double fps = 2997.0 / 100;
        var selection = SelectionDocument.Parse("""{ "identities": [ { "identity": 1, "keys": [ { "t": 0, "anonymize": false }, { "t": 4.0, "anonymize": true } ] } ] }""", fps);
        var first = Enumerable.Range(0, 300).First(f => selection.IsAnonymized(1, f * 100.0 / 2997));
        Assert.Equal((int)Math.Ceiling(4.0 * fps), first);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{ "default": "blur-some" }""", "\"default\"")]
    [InlineData("""{ "identities": {} }""", "must be a list")]
    [InlineData("""{ "identities": [ { "anonymize": true } ] }""", "identities[0]")]
    [InlineData("""{ "identities": [ { "identity": 0, "anonymize": true } ] }""", "start at 1")]
    [InlineData("""{ "identities": [ { "identity": 2 } ] }""", "\"anonymize\"")]
    [InlineData("""{ "identities": [ { "identity": 2, "keys": [] } ] }""", "non-empty")]
    [InlineData("""{ "identities": [ { "identity": 2, "keys": [ { "anonymize": true } ] } ] }""", "keys[0]")]
    [InlineData("""{ "identities": [ { "identity": 2, "keys": [ { "t": -1, "anonymize": true } ] } ] }""", "negative")]
    [InlineData("""{ "identities": [ { "identity": 2, "anonymize": true }, { "identity": 2, "anonymize": false } ] }""", "twice")]
    public void Malformed_documents_are_refused_with_the_place_named(string json, string expected)
    {
        var error = Assert.Throws<FormatException>(() => SelectionDocument.Parse(json, 25));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void A_source_swaps_selections_for_callers_mid_render()
    {
        var source = new SelectionSource(AnonymizationSelection.Everyone);
        Assert.True(source.IsAnonymized(1, 0));
        source.Replace(AnonymizationSelection.Keep([1]));
        Assert.False(source.IsAnonymized(1, 0));
    }
}
